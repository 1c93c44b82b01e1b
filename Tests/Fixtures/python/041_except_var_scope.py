# The except target name is deleted after the handler; other names persist.
try:
    raise ValueError("v")
except ValueError as err:
    saved = err
    print("in handler", err)
try:
    print(err)
except NameError as e:
    print("NameError", e)
print("saved", saved)
for i in range(2):
    try:
        if i:
            raise KeyError(i)
    except KeyError as problem:
        print("got", problem)
print("i after loop", i)
