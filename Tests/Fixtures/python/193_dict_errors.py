# KeyError details: str of a KeyError is the repr of the key.
d = {"a": 1}
for key in ["missing", 42, ("t", 1), None, "quote's"]:
    try:
        d[key]
    except KeyError as e:
        print("KeyError:", e, "| args:", e.args, "| repr:", repr(e))
try:
    {}.popitem()
except KeyError as e:
    print(e)
try:
    d.pop("nope")
except KeyError as e:
    print(e)
try:
    for k in d:
        d["new"] = 1
except RuntimeError as e:
    print(e)
