# __str__ falls back to __repr__; __format__ via format specs on user types.
class P:
    def __init__(self, v):
        self.v = v
    def __repr__(self):
        return f"P({self.v!r})"
    def __format__(self, spec):
        if spec == "upper":
            return str(self.v).upper()
        return format(self.v, spec)

p = P("abc")
print(p, str(p), [p])
print(f"{p:upper}", f"{p:>6}", format(p, "upper"))
print("{:upper}".format(p))
print(f"{P(3.14159):.2f}")
