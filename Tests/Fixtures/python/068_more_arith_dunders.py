# __truediv__, __floordiv__, __mod__, __pow__, __iadd__, NotImplemented fallbacks.
class Num:
    def __init__(self, v):
        self.v = v
    def __truediv__(self, o):
        return Num(self.v / o)
    def __floordiv__(self, o):
        return Num(self.v // o)
    def __mod__(self, o):
        return Num(self.v % o)
    def __pow__(self, o):
        return Num(self.v ** o)
    def __iadd__(self, o):
        print("iadd")
        self.v += o
        return self
    def __radd__(self, o):
        return Num(o + self.v)
    def __repr__(self):
        return f"Num({self.v})"

n = Num(7)
print(n / 2, n // 2, n % 4, n ** 2)
n += 3
print(n, 1 + n, sum([Num(1)], 0))
try:
    n - 1
except TypeError as e:
    print(e)
