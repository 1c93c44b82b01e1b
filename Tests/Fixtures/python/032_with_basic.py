# with statement calling user __enter__ and __exit__ in order.
class Ctx:
    def __init__(self, name):
        self.name = name
    def __enter__(self):
        print("enter", self.name)
        return self.name.upper()
    def __exit__(self, exc_type, exc, tb):
        print("exit", self.name, exc_type)
        return False

with Ctx("a") as x:
    print("body", x)

with Ctx("one") as p, Ctx("two") as q:
    print("body", p, q)

with Ctx("no-as"):
    print("no target")
print("done")
