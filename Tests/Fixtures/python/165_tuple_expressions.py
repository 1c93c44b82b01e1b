# Tuple creation with and without parentheses, single-element tuples.
t = 1, 2, 3
print(t, type(t).__name__)
single = 5,
print(single, (5), (5,), ())
print(tuple(), tuple([1]), tuple("ab"))
a = (1)
print(type(a).__name__)
print((1, 2) + (3,), (0,) * 3)
x, y = 1, 2
print((x, y) == (1, 2))
nested = ((1, 2), (3, 4))
print(nested[1][0], len(nested))
print(repr(("a",)), str((None,)))
