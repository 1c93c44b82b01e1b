# *args and **kwargs collection and forwarding.
def show(*args, **kwargs):
    print("args:", args)
    print("kwargs:", kwargs)

show()
show(1, 2)
show(a=1, b=2)
show(1, "x", flag=True)

def forward(*args, **kwargs):
    return show(*args, **kwargs)

forward(3, k="v")

def total(first, *rest):
    return first + sum(rest)

print(total(1), total(1, 2, 3))

def opts(**kw):
    return sorted(kw.items())

print(opts(z=1, a=2, m=3))
print(type(()).__name__, type({}).__name__)
