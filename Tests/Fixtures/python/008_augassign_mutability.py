# += mutates lists in place but rebinds tuples and strings.
a = [1, 2]
b = a
a += [3]
print(a, b, a is b)
a = a + [4]
print(a, b, a is b)
t = (1, 2)
u = t
t += (3,)
print(t, u, t is u)
s = "x"
r = s
s += "y"
print(s, r)
lst = [1]
lst += "ab"
print(lst)
lst += range(2)
print(lst)
