# Unpacking inside comprehension targets, zip and enumerate with nested tuples.
pairs = [((1, 2), "a"), ((3, 4), "b")]
print([x + y for (x, y), _ in pairs])
print({label: x * y for (x, y), label in pairs})
print([(i, k, v) for i, (k, v) in enumerate({"p": 1, "q": 2}.items())])
matrix = [[1, 2], [3, 4], [5, 6]]
print([a * b for a, b in matrix], [first for first, *_ in matrix])
print(sum(a for a, _ in matrix), [b for _, b in sorted(matrix, reverse=True)])
print([(n, c) for n, c in zip(range(3), "xyz") if n != 1])
