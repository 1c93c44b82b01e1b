# UnboundLocalError when a local is read before assignment.
count = 10
def broken():
    print("start")
    count += 1
    return count
try:
    broken()
except UnboundLocalError as e:
    print(type(e).__name__, e)
def maybe(flag):
    if flag:
        value = "set"
    return value
print(maybe(True))
try:
    maybe(False)
except UnboundLocalError as e:
    print(e)
print(issubclass(UnboundLocalError, NameError))
