# global and nonlocal together in nested functions, and module-level rebinding.
total = 0
def make_accumulator():
    count = 0
    def add(x):
        global total
        nonlocal count
        total += x
        count += 1
        return count, total
    return add
acc = make_accumulator()
print(acc(5), acc(10))
acc2 = make_accumulator()
print(acc2(1), total)
def reset():
    global total
    total = -1
reset()
print(total)
