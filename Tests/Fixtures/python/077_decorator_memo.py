# A memoising decorator using a dict cache; decorating methods.
def memo(fn):
    cache = {}
    def wrapper(n):
        if n not in cache:
            cache[n] = fn(n)
        return cache[n]
    wrapper.cache = cache
    return wrapper

@memo
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

print(fib(80))
print(len(fib.cache))

def trace(method):
    def wrapper(self, *a):
        print(f"{type(self).__name__}.{method.__name__}{a}")
        return method(self, *a)
    return wrapper

class Calc:
    @trace
    def add(self, a, b):
        return a + b

print(Calc().add(2, 5))
