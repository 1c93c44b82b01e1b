# UnboundLocalError in several shapes, with the 3.11 message.
x = 1
def reads_then_assigns():
    print(x)
    x = 2
def conditional(flag):
    if flag:
        y = "set"
    return y
def deleted():
    z = 1
    del z
    return z
for f, args in [(reads_then_assigns, ()), (conditional, (False,)), (deleted, ())]:
    try:
        f(*args)
    except UnboundLocalError as e:
        print(type(e).__name__, e)
