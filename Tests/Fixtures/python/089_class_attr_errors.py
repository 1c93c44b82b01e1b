# AttributeError messages for instances, classes and builtin types.
class Thing:
    x = 1
def attempt(thunk):
    try:
        thunk()
    except AttributeError as e:
        print(e)
attempt(lambda: Thing().y)
attempt(lambda: Thing.y)
attempt(lambda: (5).foo)
attempt(lambda: "s".nope)
attempt(lambda: [].push)
attempt(lambda: None.value)
attempt(lambda: {}.key)
def set_on_int():
    x = 5
    x.attr = 1
attempt(set_on_int)
