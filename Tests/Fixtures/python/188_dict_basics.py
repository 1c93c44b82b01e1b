# dict creation, access, get, in, len, update, keys/values/items views.
d = {"b": 2, "a": 1}
d["c"] = 3
print(d, len(d), d["a"], d.get("z"), d.get("z", 0), "a" in d, 2 in d)
print(list(d.keys()), list(d.values()), list(d.items()))
print(d.keys(), d.values(), d.items())
d.update({"a": 10, "d": 4})
d.update(e=5)
d.update([("f", 6)])
print(d)
d["b"] = 20
print(list(d))
print(dict(), {}, dict(a=1, b=2), dict([("x", 1), ("y", 2)]), dict(zip("ab", [1, 2])))
print(dict({"k": 1}, extra=2), dict.fromkeys("ab"), dict.fromkeys([1, 2], 0))
