# len() of many types and range() with steps, negatives and repr.
print(len("abc"), len([1, 2]), len((1,)), len({"a": 1}), len({1, 2, 2}), len(range(10)))
print(list(range(5)), list(range(2, 8)), list(range(0, 10, 3)), list(range(10, 0, -2)))
print(list(range(-5, 0)), list(range(5, 0)), list(range(0)), list(range(0, -10, -3)))
print(range(5), range(1, 10, 2), range(0, -5, -1))
r = range(3, 30, 4)
print(len(r), r[0], r[-1], r[2], r.start, r.stop, r.step, 7 in r, 8 in r)
print(range(0, 10, 2) == range(0, 9, 2), len(range(0, 10 ** 6, 7)))
try:
    range(1, 5, 0)
except ValueError as e:
    print(e)
try:
    len(5)
except TypeError as e:
    print(e)
