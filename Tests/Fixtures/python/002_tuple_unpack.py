# Tuple and list unpacking, swapping, unpacking from other iterables.
a, b = 1, 2
print(a, b)
a, b = b, a
print(a, b)
[c, d] = "xy"
print(c, d)
(e, f), g = (3, 4), 5
print(e, f, g)
h, = [9]
print(h)
k, v = ("key", "value")
print(k + "=" + v)
for i, (p, q) in enumerate([(1, 2), (3, 4)]):
    print(i, p, q)
x, y, z = range(3)
print(x, y, z)
