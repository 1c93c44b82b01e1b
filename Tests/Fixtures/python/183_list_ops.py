# list +, *, comparison, equality, reverse, reversed, len, nested repr.
a = [1, 2, 3]
b = [4, 5]
print(a + b, a * 2, [0] * 0, [[]] * 2)
print(a == [1, 2, 3], a != b, a < b, [1, 2] < [1, 2, 3], [2] > [1, 9])
a.reverse()
print(a, list(reversed(a)), a[::-1])
print(len([]), len([[1, 2], [3]]))
nested = [1, [2, [3, []]], "s", None, True, 1.5, (1,), {"k": [1]}]
print(nested)
grid = [[0] * 3] * 2
grid[0][0] = 1
print(grid)
grid = [[0] * 3 for _ in range(2)]
grid[0][0] = 1
print(grid)
