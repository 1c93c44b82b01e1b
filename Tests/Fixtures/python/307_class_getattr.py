# __getattr__ is called only for missing attributes; __getattribute__ is not overridden.
class Lazy:
    def __init__(self):
        self.real = "real value"
    def __getattr__(self, name):
        if name.startswith("computed_"):
            return name[len("computed_"):].upper()
        raise AttributeError(f"{type(self).__name__} has no {name!r}")

obj = Lazy()
print(obj.real)
print(obj.computed_answer)
print(getattr(obj, "computed_x"), hasattr(obj, "computed_y"), hasattr(obj, "other"))
try:
    obj.missing
except AttributeError as e:
    print(e)
print(getattr(obj, "missing", "default used"))
