# functools: reduce, partial, wraps, lru_cache with cache_info, cache, cmp_to_key.
import functools
from functools import cmp_to_key, lru_cache, partial, reduce, wraps

print(reduce(lambda acc, x: acc * x, range(1, 6)), reduce(lambda a, b: a + b, [], 0))

def scale(x, factor):
    return x * factor

double = partial(scale, factor=2)
print(double(21), [double(v) for v in range(3)])

def traced(fn):
    @wraps(fn)
    def wrapper(*args, **kwargs):
        print("calling", fn.__name__)
        return fn(*args, **kwargs)
    return wrapper

@traced
def add(a, b):
    """Add two numbers."""
    return a + b

print(add(2, 3), add.__name__, add.__doc__)

@lru_cache(maxsize=None)
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

print(fib(60), fib.cache_info())

@functools.cache
def square(n):
    return n * n

print(square(9), square(9), square.cache_info().hits)
by_length_desc = sorted(["aa", "b", "cccc", "ddd"], key=cmp_to_key(lambda a, b: len(b) - len(a)))
print(by_length_desc)
