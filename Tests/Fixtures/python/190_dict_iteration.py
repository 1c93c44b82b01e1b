# Iteration order is insertion order; iterating items, keys, values; re-insertion.
d = {}
for k in ["zeta", "alpha", "mid", "beta"]:
    d[k] = len(k)
print(list(d))
for k, v in d.items():
    print(k, v)
del d["alpha"]
d["alpha"] = 0
print(list(d))
d["zeta"] = 99
print(list(d.items())[0])
print(sorted(d), sorted(d.values()), sorted(d.items(), key=lambda kv: kv[1]))
print(list(reversed(d)))
for i, k in enumerate(d):
    print(i, k)
