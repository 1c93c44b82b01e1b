# Ordering of prints across try/except/else/finally, return in finally.
def f():
    try:
        print("try")
        return "from try"
    finally:
        print("finally runs before return completes")

print(f())

def g():
    try:
        return "try"
    finally:
        return "finally wins"

print(g())

def h():
    for i in range(3):
        try:
            if i == 1:
                continue
            print("body", i)
        finally:
            print("finally", i)

h()

def k():
    try:
        raise KeyError("a")
    finally:
        print("cleanup")

try:
    k()
except KeyError as e:
    print("caught", e)
