# TypeError messages for wrong argument counts and names.
def f(x):
    return x

def g(a, b, c=0):
    return a

def attempt(thunk):
    try:
        thunk()
    except TypeError as e:
        print(e)

attempt(lambda: f())
attempt(lambda: f(1, 2))
attempt(lambda: f(1, z=2))
attempt(lambda: g(1))
attempt(lambda: g())
attempt(lambda: g(1, 2, 3, 4))
attempt(lambda: f(1, x=1))
attempt(lambda: g(b=1, c=2))
