# Partially consumed generators, break out of loops, and reuse of iterators.
def source():
    for i in range(5):
        yield i
g = source()
for x in g:
    if x == 2:
        break
print("stopped at", x)
print("remaining", list(g))
it = iter(range(6))
firsts = [next(it) for _ in range(2)]
print(firsts, list(it))
words = iter(["a", "b", "c", "d"])
print(list(zip(words, words)))
