# __iter__ and __next__ implementing the iterator protocol.
class Countdown:
    def __init__(self, start):
        self.n = start
    def __iter__(self):
        return self
    def __next__(self):
        if self.n <= 0:
            raise StopIteration
        self.n -= 1
        return self.n + 1

print(list(Countdown(3)))
c = Countdown(2)
print(next(c), next(c))
print(next(c, "exhausted"))
for x in Countdown(2):
    print("for", x)
class Range2:
    def __init__(self, n):
        self.n = n
    def __iter__(self):
        return iter(range(0, self.n, 2))
print(list(Range2(7)), sum(Range2(7)), 4 in Range2(7))
