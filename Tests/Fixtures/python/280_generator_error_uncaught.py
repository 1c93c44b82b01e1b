# An exception raised inside a generator propagates to the consuming loop, uncaught.
def readings():
    yield 1.5
    yield 2.5
    raise RuntimeError("sensor disconnected")

for r in readings():
    print("reading", r)
print("not reached")
