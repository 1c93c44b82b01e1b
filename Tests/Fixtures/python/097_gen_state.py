# Generators keep local state between yields; multiple independent generators.
def running_total(values):
    total = 0
    for v in values:
        total += v
        yield total

print(list(running_total([1, 2, 3, 4])))
def fib():
    a, b = 0, 1
    while True:
        yield a
        a, b = b, a + b
f1, f2 = fib(), fib()
print([next(f1) for _ in range(10)])
print(next(f2), next(f2), next(f1))
def pairs(seq):
    it = iter(seq)
    for a in it:
        yield a, next(it, None)
print(list(pairs("abcde")))
