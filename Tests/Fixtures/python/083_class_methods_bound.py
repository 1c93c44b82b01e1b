# Bound methods as values, methods stored in lists, and calling via the class.
class Counter:
    def __init__(self):
        self.n = 0
    def inc(self, by=1):
        self.n += by
        return self.n

c = Counter()
f = c.inc
f()
f(5)
print(c.n)
actions = [c.inc, c.inc]
print([a() for a in actions])
print(Counter.inc(c, 100))
print(f.__name__, f.__self__ is c)
