# Reprs and behaviour of None, True and False.
print(None, repr(None), str(None), type(None).__name__)
print(True, False, repr(True), str(False), int(True), float(False))
print(True == 1, False == 0, True + True == 2)
print(bool(None), bool(0), bool(""), bool([]), bool("False"), bool(-1), bool(0.0))
print([None, True, False], {None: True})
print(f"{None}-{True}-{False!r}")
print(None == None, None == 0, None == False)
def f():
    pass
print(f() is None)
print(True & False, True | False, True ^ True, -True)
