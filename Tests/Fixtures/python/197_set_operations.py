# set union, intersection, difference, symmetric difference: methods and operators.
a = {1, 2, 3, 4}
b = {3, 4, 5}
print(a | b, a.union(b), a.union([9], (10,)))
print(a & b, a.intersection(b), a.intersection(range(2)))
print(a - b, a.difference(b), b - a)
print(a ^ b, a.symmetric_difference(b))
print({1, 2} <= a, {1, 2}.issubset(a), a.issuperset({1}), a >= b, {1} < {1}, {1} < {1, 2})
print(a.isdisjoint({7, 8}), a.isdisjoint(b))
c = set(a)
c |= {10}
c &= {1, 10, 3}
c -= {3}
print(c)
c.update([5, 6])
print(c)
print({1, 2} == {2, 1}, frozenset({1}) == {1})
