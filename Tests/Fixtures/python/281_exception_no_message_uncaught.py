# A user exception raised without arguments prints just its name.
class Cancelled(Exception):
    pass

print("working")
raise Cancelled
