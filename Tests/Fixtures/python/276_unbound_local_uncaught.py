# Reading a local before assignment is an uncaught UnboundLocalError.
counter = 0

def increment():
    counter += 1
    return counter

print("calling")
increment()
