# List comprehensions with conditions, nesting and unpacking.
print([x * x for x in range(6)])
print([x for x in range(20) if x % 3 == 0 if x % 2 == 0])
print([(i, j) for i in range(3) for j in range(3) if i != j])
matrix = [[1, 2, 3], [4, 5, 6]]
print([[row[i] for row in matrix] for i in range(3)])
print([n for row in matrix for n in row])
pairs = [("a", 1), ("b", 2)]
print([f"{k}={v}" for k, v in pairs])
print([c.upper() for c in "hey" if c != "e"])
print([[0] * 2 for _ in range(2)])
print([x if x % 2 else -x for x in range(5)])
print([(a, *rest) for a, *rest in [(1, 2, 3), (4, 5)]])
