# A timer-like context manager class that records state without printing time values.
import time

class Timer:
    def __enter__(self):
        self.start = time.time()
        return self
    def __exit__(self, et, ev, tb):
        self.elapsed = time.time() - self.start
        return False

with Timer() as t:
    total = sum(range(1000))
print(total, t.elapsed >= 0)

class Resource:
    opened = []
    def __init__(self, name):
        self.name = name
    def __enter__(self):
        Resource.opened.append(self.name)
        return self
    def __exit__(self, *exc):
        Resource.opened.remove(self.name)

with Resource("db") as r1, Resource("cache") as r2:
    print(Resource.opened)
print(Resource.opened)
