# sorted with key/reverse on various iterables; reversed on sequences.
print(sorted([3, 1, 2]), sorted("hello"), sorted({3: "c", 1: "a"}), sorted((2.5, -1, 0)))
print(sorted(["b", "A", "c"], key=str.lower), sorted([-3, 2, -1], key=abs, reverse=True))
print(sorted({"x": 3, "y": 1}.items(), key=lambda kv: kv[1]))
print(list(reversed([1, 2, 3])), list(reversed("abc")), list(reversed(range(4))))
print(list(reversed((1, 2))), "".join(reversed("stop")))
print(sorted([[2, 1], [1, 2], [1]]), sorted([(1, "b"), (1, "a")]))
print(sorted([True, False, 0, 1]), sorted([]))
try:
    reversed({1, 2})
except TypeError as e:
    print(e)
try:
    sorted([None, 1])
except TypeError as e:
    print(e)
