# and/or return operands; not returns a bool; short-circuit evaluation.
print(1 and 2, 0 and 2, 1 or 2, 0 or 2, "" or "default", None or 0)
print([] and "x", [0] and "x", not [], not 5, not None)
def side(v):
    print("side", v)
    return v
print(side(0) and side(1))
print(side(1) or side(2))
print(side(1) and side(0) or side(3))
name = ""
print(name or "anonymous")
x = None
print(x is None or x > 3)
print(True and 3, False or False, 0 or [] or {})
print(not 1 == 2, (not 1) == 2)
