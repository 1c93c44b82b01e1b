# hasattr, getattr with default, setattr, delattr on user objects.
class Cfg:
    color = "red"
c = Cfg()
print(hasattr(c, "color"), hasattr(c, "size"))
print(getattr(c, "color"), getattr(c, "size", "medium"))
setattr(c, "size", "large")
print(c.size, getattr(c, "size"))
for name in ["a", "b"]:
    setattr(c, name, name * 3)
print(c.a, c.b)
delattr(c, "a")
print(hasattr(c, "a"))
try:
    getattr(c, "missing")
except AttributeError as e:
    print(e)
print(getattr(Cfg, "color"), getattr("text", "upper")())
print(getattr(5, "real"), hasattr([], "append"))
