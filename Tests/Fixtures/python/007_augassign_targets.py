# Augmented assignment on attributes, subscripts and slices.
class Box:
    def __init__(self):
        self.n = 1
        self.items = [1, 2]

b = Box()
b.n += 41
b.n //= 2
print(b.n)
b.items += [3]
print(b.items)
d = {"a": 1}
d["a"] += 10
d["a"] *= 3
print(d)
lst = [1, 2, 3]
lst[0] -= 5
lst[-1] **= 2
print(lst)
m = [[0, 0], [0, 0]]
m[1][0] += 7
print(m)
counts = {}
for ch in "banana":
    counts[ch] = counts.get(ch, 0) + 1
print(sorted(counts.items()))
