# Chained generator pipelines.
def numbers(n):
    yield from range(1, n + 1)

def evens(xs):
    for x in xs:
        if x % 2 == 0:
            yield x

def squared(xs):
    for x in xs:
        yield x * x

print(list(squared(evens(numbers(10)))))
print(sum(squared(evens(numbers(100)))))
def take(n, it):
    for i, x in enumerate(it):
        if i >= n:
            return
        yield x
def naturals():
    k = 1
    while True:
        yield k
        k += 1
print(list(take(5, squared(naturals()))))
