# Closures capture variables, late binding, and counters.
def make_adder(n):
    def add(x):
        return x + n
    return add

add5 = make_adder(5)
add10 = make_adder(10)
print(add5(1), add10(1))

funcs = [lambda: i for i in range(3)]
print([f() for f in funcs])
funcs = [lambda i=i: i for i in range(3)]
print([f() for f in funcs])

def outer():
    x = "outer"
    def inner():
        return x
    x = "changed"
    return inner

print(outer()())

def multiplier_chain():
    fs = []
    for k in range(1, 4):
        def m(v, k=k):
            return v * k
        fs.append(m)
    return fs

print([f(10) for f in multiplier_chain()])
