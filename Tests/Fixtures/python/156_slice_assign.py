# Slice assignment that grows, shrinks, and replaces with steps; slice deletion.
a = list(range(6))
a[1:3] = ["x", "y", "z"]
print(a)
a[:2] = []
print(a)
a[len(a):] = [100, 101]
print(a)
a[::2] = [0] * len(a[::2])
print(a)
b = [1, 2, 3]
b[1:1] = [9, 9]
print(b)
b[:] = "ab"
print(b)
c = list(range(10))
del c[::3]
print(c)
del c[-2:]
print(c)
try:
    c[::2] = [1]
except ValueError as e:
    print(e)
