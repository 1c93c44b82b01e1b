# Simple assignment, chained assignment and rebinding.
a = 1
b = c = 2
print(a, b, c)
a = a + b
print(a)
x = y = []
x.append(1)
print(x, y, x is y)
s = "text"
s = s * 2
print(s)
n = None
print(n, type(n).__name__)
