# dir() on user objects, filtered to public names and sorted.
class Base:
    base_attr = 1
    def base_method(self):
        pass

class Thing(Base):
    kind = "thing"
    def __init__(self):
        self.value = 10
        self._hidden = 2
    def act(self):
        pass

t = Thing()
print([n for n in dir(t) if not n.startswith("_")])
print([n for n in dir(Thing) if not n.startswith("_")])
print(sorted(vars(t)))
print(vars(t))
