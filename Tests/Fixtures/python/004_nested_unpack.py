# Nested unpacking in assignment and for loops.
data = [("alice", (30, "NYC")), ("bob", (25, "LA"))]
for name, (age, city) in data:
    print(name, age, city)
((a, b), (c, d)) = [[1, 2], [3, 4]]
print(a, b, c, d)
[x, [y, [z]]] = [1, [2, [3]]]
print(x, y, z)
points = {"p": (1, 2)}
for key, (px, py) in points.items():
    print(key, px + py)
m, (n, *o) = 0, "hey"
print(m, n, o)
