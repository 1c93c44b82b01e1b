# Generator expressions evaluate the first iterable eagerly and the rest lazily.
data = [1, 2, 3]
g = (x * 10 for x in data)
data = [7, 8]
print(list(g))
items = [1, 2]
g2 = (x for x in items)
items.append(3)
print(list(g2))
def make():
    n = 2
    return (i * n for i in range(3))
print(list(make()))
print(sum(x for x in range(10) if x % 3 == 0))
print(list(x for x in ([1, 2], [3]) for x in x))
