# setdefault, pop with default, popitem, copy, clear.
d = {"x": 1}
print(d.setdefault("x", 100), d.setdefault("y", 2), d.setdefault("z"), d)
print(d.pop("x"), d.pop("missing", "default"), d)
d["w"] = 9
print(d.popitem(), d)
groups = {}
for word in ["apple", "avocado", "banana", "blueberry", "cherry"]:
    groups.setdefault(word[0], []).append(word)
print(groups)
c = groups.copy()
c["a"].append("apricot")
c["z"] = []
print(groups["a"], "z" in groups)
groups.clear()
print(groups, len(c))
