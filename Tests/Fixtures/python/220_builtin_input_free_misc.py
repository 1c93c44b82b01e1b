# Miscellaneous builtins: len of unicode, str.join on map, id-free identity checks.
values = [5, 3, 8]
print(len("naïve"), "".join(map(str, values)), list(map(lambda v: v * 2, values)))
print(sorted(values) == sorted(values[::-1]), values.index(max(values)))
print(list(zip(*[[1, 2, 3], [4, 5, 6]])))
print(list(map(list, zip(*[[1, 2], [3, 4], [5, 6]]))))
print(dict(enumerate("ab")), list(enumerate(zip("ab", "cd"))))
print(all(isinstance(v, int) for v in values), any(v > 7 for v in values))
