# return inside a generator stops it; the value rides on StopIteration.
def limited():
    yield 1
    yield 2
    return "done"
    yield 3

print(list(limited()))
g = limited()
next(g)
next(g)
try:
    next(g)
except StopIteration as e:
    print("stopped with", repr(e.value))
def empty():
    return
    yield
print(list(empty()))
def early(items):
    for x in items:
        if x is None:
            return
        yield x
print(list(early([1, 2, None, 3])))
