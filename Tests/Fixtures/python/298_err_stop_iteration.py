# StopIteration from next() on exhausted iterators, with and without defaults.
it = iter([1])
print(next(it))
try:
    next(it)
except StopIteration as e:
    print("StopIteration", repr(e), e.value)
def gen():
    yield 1
    return "final"
g = gen()
next(g)
try:
    next(g)
except StopIteration as e:
    print("value", e.value, "args", e.args)
print(next(iter([]), "default"))
print(next(gen(), None))
