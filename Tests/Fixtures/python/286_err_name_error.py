# NameError messages via str(e): suggestions are not part of the message.
def show(thunk):
    try:
        thunk()
    except NameError as e:
        print(type(e).__name__, e)
        print(repr(e.name))
show(lambda: undefined_name)
lenn = None
del lenn
show(lambda: lenn)
def uses_later():
    return later_defined
show(uses_later)
later_defined = "now defined"
print(uses_later())
try:
    del never_defined
except NameError as e:
    print(e)
