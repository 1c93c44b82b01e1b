# super().__init__ chains and extra attributes in subclasses.
class Base:
    def __init__(self, a):
        print("Base init")
        self.a = a

class Child(Base):
    def __init__(self, a, b):
        super().__init__(a)
        print("Child init")
        self.b = b

class NoInit(Child):
    pass

c = Child(1, 2)
print(c.a, c.b)
n = NoInit(3, 4)
print(n.a, n.b)
class Explicit(Base):
    def __init__(self):
        Base.__init__(self, "explicit")
print(Explicit().a)
