# __call__ makes instances callable; __bool__ and __len__ drive truthiness.
class Multiplier:
    def __init__(self, k):
        self.k = k
    def __call__(self, x, extra=0):
        return x * self.k + extra

m = Multiplier(3)
print(m(5), m(5, extra=1), callable(m), callable(5))
print(list(map(m, [1, 2])))
class Flag:
    def __init__(self, on):
        self.on = on
    def __bool__(self):
        print("bool called")
        return self.on
print(bool(Flag(True)), not Flag(False))
if Flag(False):
    print("no")
else:
    print("falsy flag")
class Sized:
    def __len__(self):
        return 0
print(bool(Sized()), Flag(True) and "yes")
