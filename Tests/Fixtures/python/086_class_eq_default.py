# Default equality is identity; __eq__ with NotImplemented falls back.
class Plain:
    pass
a, b = Plain(), Plain()
print(a == a, a == b, a != b)
class Val:
    def __init__(self, v):
        self.v = v
    def __eq__(self, other):
        if isinstance(other, Val):
            return self.v == other.v
        return NotImplemented
print(Val(1) == Val(1), Val(1) == 1, 1 == Val(1), Val(1) != Val(2))
print(Val(1) in [Val(0), Val(1)])
print([Val(2)].index(Val(2)), [Val(2), Val(2)].count(Val(2)))
