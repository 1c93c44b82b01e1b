# Generators are lazy: code runs only as values are requested.
def noisy():
    for i in range(3):
        print("producing", i)
        yield i * 10

g = noisy()
print("created")
print("first", next(g))
print("rest", list(g))
print("again", list(g))
def infinite():
    n = 0
    while True:
        yield n
        n += 1
result = []
for v in infinite():
    if v > 4:
        break
    result.append(v)
print(result)
