# Aliasing vs copying lists, shallow copy semantics.
a = [1, [2, 3]]
b = a
c = a.copy()
d = a[:]
e = list(a)
a.append(4)
a[1].append(99)
print(a)
print(b)
print(c)
print(d, e)
print(a is b, a is c, a[1] is c[1])
x = [1, 2, 3]
for item in x[:]:
    if item % 2:
        x.remove(item)
print(x)
