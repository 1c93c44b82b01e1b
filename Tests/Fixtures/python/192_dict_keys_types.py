# Dict keys of different hashable types; 1 and 1.0 and True collide.
d = {1: "int", "1": "str", (1, 2): "tuple", None: "none", 2.5: "float"}
print(d[1], d["1"], d[(1, 2)], d[None], d[2.5])
d[1.0] = "float one"
d[True] = "true"
print(d[1], len(d))
print(d)
try:
    d[[1, 2]] = "list"
except TypeError as e:
    print(e)
try:
    {{}: 1}
except TypeError as e:
    print(e)
print({(1, (2, 3)): "nested tuple"})
