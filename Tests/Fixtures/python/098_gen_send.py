# Generator send() and the value of a yield expression.
def echo():
    received = None
    while True:
        received = yield f"got {received}"

g = echo()
print(next(g))
print(g.send("hello"))
print(g.send(42))
def averager():
    total, count = 0, 0
    avg = None
    while True:
        value = yield avg
        total += value
        count += 1
        avg = total / count
a = averager()
next(a)
print(a.send(10), a.send(20), a.send(60))
