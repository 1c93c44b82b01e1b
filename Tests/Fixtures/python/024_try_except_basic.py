# try/except/else/finally flow and which blocks run.
def run(x):
    try:
        print("try", x)
        r = 10 // x
    except ZeroDivisionError:
        print("except")
        r = None
    else:
        print("else", r)
    finally:
        print("finally")
    return r

print(run(2))
print(run(0))
try:
    int("nope")
except (ValueError, KeyError) as e:
    print("caught", type(e).__name__)
try:
    {}["k"]
except (ValueError, KeyError) as e:
    print("caught", type(e).__name__, e)
try:
    [][1]
except LookupError as e:
    print("base class", type(e).__name__)
