# yield from delegating to sub-generators and iterables, and its result value.
def inner():
    yield "a"
    yield "b"
    return "inner-result"

def outer():
    result = yield from inner()
    print("inner returned", result)
    yield from [1, 2]
    yield from range(3, 5)
    yield from "xy"

print(list(outer()))
def flatten(x):
    for item in x:
        if isinstance(item, list):
            yield from flatten(item)
        else:
            yield item
print(list(flatten([1, [2, [3, [4, 5]], 6], [[7]]])))
