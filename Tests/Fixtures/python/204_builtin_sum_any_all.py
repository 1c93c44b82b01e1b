# sum with start, any and all on various iterables.
print(sum([1, 2, 3]), sum([1, 2, 3], 10), sum([]), sum(range(1, 11)), sum([0.5, 0.25]))
print(sum([[1], [2, 3]], []), sum(((1,), (2,)), ()), sum(x % 2 for x in range(7)))
print(any([]), all([]), any([0, "", None]), any([0, 1]), all([1, "a", [0]]), all([1, 0]))
print(any(c.isdigit() for c in "ab3"), all(c.isalpha() for c in "abc"))
print(any({0: "x"}), all({1: 0}), any("  "), all(""))
try:
    sum(["a", "b"], "")
except TypeError as e:
    print(e)
try:
    sum([1, "2"])
except TypeError as e:
    print(e)
