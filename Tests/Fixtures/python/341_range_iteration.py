# range with negative steps, reversed ranges, membership and slicing.
print(list(range(10, -1, -3)), list(reversed(range(1, 10, 4))), list(range(-3, 3)))
r = range(100, 0, -7)
print(r[0], r[-1], len(r), 93 in r, 92 in r, r.index(86))
print(range(0, 20, 5)[1:3], list(range(0, 20, 5)[::-1]))
for i in range(3, 0, -1):
    print("countdown", i)
print(sum(range(0, 101, 2)), max(range(7)), min(range(-5, 5)))
print(list(range(5))[::-2], range(3) == range(0, 3, 1), list(range(2, 2)))
