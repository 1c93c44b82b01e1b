# tuple count, index, comparison, hashing, repr of 1-tuples and empty tuples.
t = (1, 2, 3, 2, 1)
print(t.count(2), t.index(3), t.index(2, 2))
print((1, 2) < (1, 3), (1, 2) < (1, 2, 0), (2,) > (1, 9), () < (0,))
print((1,), (), ((),), (1, (2,)))
print(len(t), t[1:3], t + (9,), min(t), sorted(t))
print(hash((1, 2)) == hash((1, 2)), {(1, 2): "ok"}[(1, 2)])
try:
    t.index(9)
except ValueError as e:
    print(e)
try:
    t[0] = 5
except TypeError as e:
    print(e)
try:
    hash((1, [2]))
except TypeError as e:
    print(e)
