# nonlocal rebinding in nested functions.
def counter():
    count = 0
    def inc():
        nonlocal count
        count += 1
        return count
    return inc

c = counter()
print(c(), c(), c())
c2 = counter()
print(c2())

def outer():
    x = 1
    def middle():
        x = 2
        def inner():
            nonlocal x
            x = 3
        inner()
        return x
    return middle(), x

print(outer())

def accumulate():
    total = 0
    items = []
    def add(v):
        nonlocal total
        total += v
        items.append(v)
        return total, items
    return add

acc = accumulate()
acc(1)
print(acc(5))
