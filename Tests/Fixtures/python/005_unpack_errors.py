# Unpacking count mismatches produce ValueError with exact messages.
def attempt(fn):
    try:
        fn()
    except ValueError as e:
        print(type(e).__name__, e)

def three():
    a, b, c = [1, 2]

def two():
    a, b = [1, 2, 3]

def starred():
    a, b, *c = [1]

def from_str():
    a, b = "abc"

attempt(three)
attempt(two)
attempt(starred)
attempt(from_str)
try:
    a, b = 5
except TypeError as e:
    print(type(e).__name__, e)
