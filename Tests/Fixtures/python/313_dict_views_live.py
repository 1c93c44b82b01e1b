# dict views reflect later changes; converting views; views in comparisons.
d = {"a": 1, "b": 2}
keys = d.keys()
values = d.values()
items = d.items()
d["c"] = 3
print(list(keys), list(values), list(items))
del d["a"]
print(len(keys), "a" in keys, "b" in keys, 2 in values, ("c", 3) in items)
print(keys == {"b", "c"}, sorted(keys & {"b", "z"}), sorted(keys | {"z"}), sorted(keys - {"b"}))
print(list(zip(d.keys(), d.values())) == list(d.items()))
print(sum(d.values()), max(d, key=d.get), min(d.items(), key=lambda kv: kv[1]))
