# repr() vs str() for builtin values.
values = ["s", 1, 1.0, None, True, [1, "a"], (1,), {"k": "v"}, {1}, range(3), 1e100, -0.0]
for v in values:
    print(str(v), "|", repr(v))
print(repr(repr("x")), str(str("x")))
print(repr([1, [2, ["three"]]]), repr({"a": [1, {"b": None}]}))
print(repr(""), repr(''), repr([]), repr({}), repr(set()), repr(()))
print(repr(float("nan")), repr(2 ** 70), repr(-5))
