# KeyError str is the repr of the key; args holds the key itself.
d = {"a": 1}
for key in ["b", 0, 2.5, (1, "x"), "", "it's", None, True]:
    try:
        d[key]
    except KeyError as e:
        print(str(e), "|", e.args[0] == key)
try:
    raise KeyError("custom message")
except KeyError as e:
    print(e, "|", repr(e))
try:
    raise KeyError()
except KeyError as e:
    print(repr(str(e)))
try:
    raise KeyError("a", "b")
except KeyError as e:
    print(e)
