# __exit__ receives exception info and can suppress it by returning True.
class Suppress:
    def __init__(self, *kinds):
        self.kinds = kinds
    def __enter__(self):
        return self
    def __exit__(self, et, ev, tb):
        if et is None:
            print("clean exit")
            return False
        print("exit saw", et.__name__, ev)
        return issubclass(et, self.kinds)

with Suppress(KeyError):
    print("no error")
with Suppress(KeyError):
    {}["missing"]
    print("not reached")
print("after suppressed")
try:
    with Suppress(KeyError):
        raise ValueError("not suppressed")
except ValueError as e:
    print("propagated", e)

class Tracker:
    def __enter__(self):
        print("A enter")
    def __exit__(self, *a):
        print("A exit", a[0].__name__ if a[0] else None)

try:
    with Tracker(), Suppress(TypeError):
        raise TypeError("inner")
except Exception:
    print("unreachable")
print("end")
