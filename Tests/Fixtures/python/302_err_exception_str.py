# str() and repr() of exceptions with zero, one and several arguments.
for exc in [ValueError(), ValueError("one"), ValueError("a", 2), ValueError(None),
            ValueError(""), TypeError([1, 2]), RuntimeError("x\ny")]:
    print(repr(str(exc)), "|", repr(exc))
class MyErr(Exception):
    pass
print(repr(MyErr("m")), str(MyErr(1, 2)), repr(MyErr()))
print(f"{ValueError('in f-string')}", "%s" % KeyError("k"))
