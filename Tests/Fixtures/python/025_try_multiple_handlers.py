# Multiple except clauses: first match wins, bare except, exception hierarchy.
def handle(thunk):
    try:
        thunk()
    except KeyError as e:
        return "KeyError " + str(e)
    except LookupError as e:
        return "LookupError " + str(e)
    except (TypeError, ValueError) as e:
        return "Type/Value " + type(e).__name__
    except Exception as e:
        return "Exception " + type(e).__name__
    return "ok"

print(handle(lambda: {}["a"]))
print(handle(lambda: [][0]))
print(handle(lambda: int("z")))
print(handle(lambda: 1 + "a"))
print(handle(lambda: 1 / 0))
print(handle(lambda: None))
try:
    raise RuntimeError("x")
except:
    print("bare except caught")
