# iter() with sentinel, next() with default, and iterator exhaustion.
items = [1, 2, 3]
it = iter(items)
print(next(it))
print(list(it))
print(next(it, None))
counter = [0]
def tick():
    counter[0] += 1
    return counter[0]
print(list(iter(tick, 4)))
data = iter(["a", "b", "", "c"])
print(list(iter(lambda: next(data), "")))
try:
    next([1, 2])
except TypeError as e:
    print(e)
try:
    iter(5)
except TypeError as e:
    print(e)
