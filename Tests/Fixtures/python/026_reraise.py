# Re-raising with bare raise and raising a new exception.
def inner():
    raise ValueError("inner problem")

def middle():
    try:
        inner()
    except ValueError:
        print("middle saw it")
        raise

try:
    middle()
except ValueError as e:
    print("outer got:", e)

def convert():
    try:
        inner()
    except ValueError as e:
        raise RuntimeError("wrapped: " + str(e))

try:
    convert()
except RuntimeError as e:
    print(type(e).__name__, e)
    print(type(e.__context__).__name__)
