# with A as x, B: one manager bound to a name and one not; exit order is reversed.
class Manager:
    def __init__(self, name, suppress=False):
        self.name = name
        self.suppress = suppress
    def __enter__(self):
        print("enter", self.name)
        return f"<{self.name}>"
    def __exit__(self, et, ev, tb):
        print("exit", self.name, "with", et.__name__ if et else "no error")
        return self.suppress

with Manager("A") as x, Manager("B"):
    print("inside", x)
with Manager("outer", suppress=True) as o, Manager("inner") as i:
    print("raising in", o, i)
    raise ValueError("boom")
print("after: outer suppressed the error")
with Manager("first"), Manager("second") as s:
    print("bound", s)
