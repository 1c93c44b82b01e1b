# del on names, list items, slices, dict keys and attributes.
x = 5
del x
try:
    print(x)
except NameError as e:
    print(e)
lst = list(range(10))
del lst[0]
print(lst)
del lst[-1]
print(lst)
del lst[1:3]
print(lst)
del lst[::2]
print(lst)
d = {"a": 1, "b": 2}
del d["a"]
print(d)
class O:
    pass
o = O()
o.attr = 1
del o.attr
print(hasattr(o, "attr"))
a, b = 1, 2
del a, b
print("a" in dir(), "b" in dir())
