# __repr__ and __str__ used by print, str, repr, f-strings and containers.
class Money:
    def __init__(self, cents):
        self.cents = cents
    def __repr__(self):
        return f"Money({self.cents})"
    def __str__(self):
        return f"${self.cents // 100}.{self.cents % 100:02d}"

m = Money(1234)
print(m)
print(str(m), repr(m))
print([m, Money(5)])
print(f"{m} {m!r}")
print((m,), {"k": m})
class OnlyRepr:
    def __repr__(self):
        return "<OnlyRepr>"
print(OnlyRepr(), str(OnlyRepr()))
print("%s and %r" % (m, m))
