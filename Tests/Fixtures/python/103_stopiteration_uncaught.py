# next() on an exhausted iterator outside a loop raises StopIteration (uncaught).
def two():
    yield 1
    yield 2
g = two()
print(next(g))
print(next(g))
print("about to exhaust")
next(g)
print("not reached")
