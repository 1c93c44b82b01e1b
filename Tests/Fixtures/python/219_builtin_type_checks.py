# type() comparisons, type names and isinstance-based dispatch.
def describe(x):
    if isinstance(x, bool):
        return "bool"
    if isinstance(x, int):
        return "int"
    if isinstance(x, float):
        return "float"
    if isinstance(x, str):
        return "str"
    if isinstance(x, (list, tuple)):
        return "sequence of " + str(len(x))
    if isinstance(x, dict):
        return "mapping"
    return type(x).__name__
for v in [True, 3, 2.0, "s", [1, 2], (1,), {}, None, {1}]:
    print(repr(v), "->", describe(v))
print(type(1) == type(2), type(1) == type(1.0), type([]) is list)
