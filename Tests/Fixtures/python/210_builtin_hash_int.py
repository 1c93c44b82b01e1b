# hash() of ints, bools and tuples of ints (deterministic values).
for n in [0, 1, -1, -2, 42, 2 ** 61 - 1, 2 ** 61, 2 ** 64, -2 ** 64, 10 ** 30]:
    print(n, hash(n))
print(hash(True), hash(False), hash(-1) == hash(-2))
print(hash((1, 2)) == hash((1, 2)), hash((1, 2)) == hash((2, 1)))
print(hash(1) == hash(1.0) == hash(True))
