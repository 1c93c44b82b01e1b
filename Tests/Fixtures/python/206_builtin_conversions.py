# str, int, float, bool, list, tuple, set, dict constructors.
print(str(5), str(-1.5), str([1]), str({"a": 1}), repr(str()))
print(int(), int("  -8 "), int(7.9), int("101", 2), int("ff", 16), int("z", 36))
print(float(), float(3), float("1e-3"), float("-inf"), float(" 2.50 "))
print(bool(), bool(2), bool(""), bool(" "), bool([]), bool(None), bool(0.0))
print(list(), list("ab"), list((1, 2)), list({"k": 1}), list(range(3)))
print(tuple(), tuple([1, 2]), tuple("hi"), sorted(set("banana")), set())
print(dict(), dict(a=1), dict([["k", "v"]]), dict({"x": 1}, y=2))
try:
    dict([1, 2])
except TypeError as e:
    print(e)
try:
    dict(["ab", "cde"])
except ValueError as e:
    print(e)
