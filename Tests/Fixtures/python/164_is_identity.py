# is / is not with None, True, small values and objects.
a = None
print(a is None, a is not None)
x = [1, 2]
y = x
z = [1, 2]
print(x is y, x is z, x == z)
print(True is True, False is not True)
def f():
    pass
print(f() is None, f is f)
class K:
    pass
k1 = K()
k2 = k1
print(k1 is k2, K() is K())
print(type(1) is int, type("") is str)
