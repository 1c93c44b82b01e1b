# isinstance and issubclass with classes, tuples and builtins.
class A: pass
class B(A): pass
class C: pass
b = B()
print(isinstance(b, A), isinstance(b, B), isinstance(b, C))
print(isinstance(b, (C, A)), isinstance(3, (str, float)))
print(issubclass(B, A), issubclass(A, B), issubclass(B, (C, A)), issubclass(A, A))
print(isinstance(True, int), isinstance(1, bool), issubclass(bool, int))
print(isinstance(None, type(None)), isinstance([], list), isinstance({}, dict))
print(isinstance(1.0, int), isinstance(1, float), isinstance("s", str))
print(isinstance(A, type), isinstance(b, object), issubclass(int, object))
try:
    isinstance(b, "A")
except TypeError as e:
    print(e)
