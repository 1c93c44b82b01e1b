# __eq__ and __hash__ for use in sets and dicts; __ne__ derived from __eq__.
class Key:
    def __init__(self, a, b):
        self.a, self.b = a, b
    def __eq__(self, other):
        if not isinstance(other, Key):
            return NotImplemented
        return (self.a, self.b) == (other.a, other.b)
    def __hash__(self):
        return hash((self.a, self.b))
    def __repr__(self):
        return f"Key({self.a}, {self.b})"

k1, k2, k3 = Key(1, 2), Key(1, 2), Key(2, 1)
print(k1 == k2, k1 != k2, k1 == k3, k1 is k2)
print(len({k1, k2, k3}))
d = {k1: "first"}
d[k2] = "second"
print(d)
print(k1 == (1, 2), k1 in [k3, k2])
class NoHash:
    def __eq__(self, other):
        return True
try:
    {NoHash()}
except TypeError as e:
    print(e)
