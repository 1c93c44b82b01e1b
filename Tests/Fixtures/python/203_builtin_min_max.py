# min and max: key, default, multiple arguments, empty sequences.
print(min([4, 2, 8]), max([4, 2, 8]), min(4, 2, 8), max("a", "b", "ab"))
print(min(["apple", "fig", "banana"], key=len), max(["apple", "fig", "banana"], key=len))
print(max([], default=None), min((), default="empty"), max([1], default=9))
weights = {"a": 3, "b": 9}
print(min([(2, "b"), (1, "z"), (1, "a")]), max(weights, key=lambda k: weights[k]))
print(max([-3, 2, -5], key=abs), min([3, 1, 1.0]), max([1, 1.0]))
print(max(["b", "a", "B"]), min("hello"))
try:
    max([])
except ValueError as e:
    print(e)
try:
    min(1)
except TypeError as e:
    print(e)
