# callable() and type() on functions, classes, instances and builtins.
class C:
    def method(self):
        pass
class D:
    def __call__(self):
        return "called"
def f():
    pass
for v in [f, C, C(), C().method, D(), len, 5, "s", lambda: 0, print]:
    print(type(v).__name__, callable(v))
print(type(C()) is C, type(C) is type, type(5)("12") + 1, type("x")(3))
print(D()())
