# Exceptions raised in except, else and finally blocks replace the original.
def in_except():
    try:
        raise ValueError("first")
    except ValueError:
        raise TypeError("second")

try:
    in_except()
except Exception as e:
    print(type(e).__name__, e, "context:", type(e.__context__).__name__)

def in_else():
    try:
        pass
    except Exception:
        print("not here")
    else:
        raise KeyError("from else")
    finally:
        print("finally after else")

try:
    in_else()
except KeyError as e:
    print("caught", e)

def in_finally():
    try:
        raise ValueError("lost")
    finally:
        raise IndexError("finally error")

try:
    in_finally()
except Exception as e:
    print(type(e).__name__, e)
