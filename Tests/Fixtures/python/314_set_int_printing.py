# Printing sets of small non-negative ints (ascending in CPython) and sorted other sets.
print({3, 1, 2}, {0}, set(), {5, 4, 3, 2, 1, 0})
evens = {x for x in range(8) if x % 2 == 0}
print(evens, evens | {1}, evens - {0, 2})
print(sorted({"pear", "apple", "fig"}), sorted({3.5, -1, 2}), sorted({"b", "a"}, reverse=True))
letters = set("mississippi")
print(sorted(letters), len(letters))
print(sorted({(1, "a"), (0, "b")}), len({1, 1.0, True}))
