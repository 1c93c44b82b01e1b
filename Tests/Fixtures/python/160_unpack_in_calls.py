# * and ** unpacking in function calls, multiple times and mixed.
def f(a, b, c=0, *rest, **kw):
    return a, b, c, rest, kw
print(f(*[1, 2]))
print(f(*(1, 2, 3, 4, 5)))
print(f(1, *[2], *[3, 4]))
print(f(**{"a": 1, "b": 2}))
print(f(1, **{"b": 2}, **{"x": 9}))
print(f(*"ab", z=1))
args = [3, 1, 2]
print(max(*args), sorted(args), print(*args, sep="-"))
try:
    f(1, 2, **{"a": 5})
except TypeError as e:
    print(e)
