# Dict and set comprehensions, including inversion and filtering.
words = ["apple", "bob", "kiwi", "banana"]
print({w: len(w) for w in words})
print({len(w) for w in words})
d = {"a": 1, "b": 2, "c": 3}
print({v: k for k, v in d.items()})
print({k: v for k, v in d.items() if v > 1})
print({n % 4 for n in range(20)})
print({(x, y): x * y for x in range(2) for y in range(2)})
print(sorted({w[0] for w in words}))
print({i: [j for j in range(i)] for i in range(4)})
