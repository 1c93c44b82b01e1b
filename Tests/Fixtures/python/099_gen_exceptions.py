# Exceptions inside generators propagate to the consumer; try/finally in generators.
def risky():
    yield 1
    raise ValueError("inside generator")

try:
    for v in risky():
        print("value", v)
except ValueError as e:
    print("caught", e)
def guarded():
    try:
        yield "a"
        yield "b"
    finally:
        print("generator cleanup")
for v in guarded():
    print(v)
print("after loop")
def stop_inside():
    yield 1
    return
print(list(stop_inside()))
