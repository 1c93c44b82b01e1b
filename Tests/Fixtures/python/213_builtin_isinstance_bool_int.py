# isinstance with bool/int relationships and tuples of types.
vals = [True, 1, 1.0, "1", None, [1]]
for v in vals:
    print(repr(v), isinstance(v, int), isinstance(v, bool), isinstance(v, (int, float)),
          isinstance(v, (str, list)), type(v) is int)
print(isinstance(True, (bool,)), isinstance(False, int), issubclass(bool, (int, str)))
def is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)
print([is_number(x) for x in [1, 1.5, True, "2"]])
