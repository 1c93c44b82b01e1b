# finally blocks run (and print) before an uncaught exception ends the program.
def inner():
    try:
        print("inner try")
        raise KeyError("session")
    finally:
        print("inner finally")

def outer():
    try:
        inner()
    finally:
        print("outer finally")

outer()
print("not reached")
