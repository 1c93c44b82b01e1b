# Lambda expressions: defaults, sort keys, immediate call, in dicts.
sq = lambda x: x * x
print(sq(7))
print((lambda a, b=2: a ** b)(3))
print((lambda *a, **k: (a, k))(1, 2, z=3))
pairs = [(1, "b"), (3, "a"), (2, "c")]
print(sorted(pairs, key=lambda p: p[1]))
ops = {"add": lambda a, b: a + b, "mul": lambda a, b: a * b}
print(ops["add"](2, 3), ops["mul"](2, 3))
print(sq.__name__)
compose = lambda f, g: lambda x: f(g(x))
print(compose(sq, lambda x: x + 1)(4))
print(list(map(lambda s: s.upper(), ["a", "b"])))
