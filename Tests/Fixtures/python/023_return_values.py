# return with no value, multiple values, early return and falling off the end.
def nothing():
    return

def implicit():
    pass

def many():
    return 1, "two", [3]

def early(x):
    if x:
        return "early"
    print("not early")
    return "late"

print(nothing(), implicit())
print(many())
a, b, c = many()
print(a, b, c)
print(early(1))
print(early(0))

def loop_return():
    for i in range(10):
        if i * i > 20:
            return i
    return -1

print(loop_return())
