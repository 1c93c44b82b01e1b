# raise with a class, an instance, and inside nested calls.
def check(v):
    if v < 0:
        raise ValueError("negative: " + str(v))
    if v == 0:
        raise ZeroDivisionError
    return 100 / v

for v in [4, 0, -1]:
    try:
        print(check(v))
    except ValueError as e:
        print("ValueError", e)
    except ZeroDivisionError as e:
        print("ZeroDivisionError", repr(e))

err = KeyError("stored")
try:
    raise err
except KeyError as caught:
    print(caught is err)
