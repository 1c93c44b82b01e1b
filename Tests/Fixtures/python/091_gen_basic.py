# Generator functions with yield consumed by for, list() and next().
def count_up(n):
    print("start")
    i = 0
    while i < n:
        yield i
        i += 1
    print("end")

for x in count_up(3):
    print("got", x)
print(list(count_up(2)))
g = count_up(2)
print(type(g).__name__)
print(next(g))
print(next(g))
try:
    next(g)
except StopIteration:
    print("StopIteration")
print(next(g, "default"))
