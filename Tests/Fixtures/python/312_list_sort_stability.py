# Sorting stability: multi-pass sorting and sorting by tuple keys give the same order.
records = [("amy", "b", 3), ("bob", "a", 3), ("cat", "b", 1), ("dan", "a", 2), ("eve", "b", 3)]
by_score = sorted(records, key=lambda r: r[2])
print(by_score)
two_pass = sorted(sorted(records, key=lambda r: r[0]), key=lambda r: r[1])
print(two_pass)
print(sorted(records, key=lambda r: (r[1], r[0])) == two_pass)
print(sorted(records, key=lambda r: r[2], reverse=True))
data = [3, 1, 2]
data.sort(key=lambda x: 0)
print(data)
print(sorted(["b", "B", "a", "A"], key=str.lower), sorted(["b", "B", "a", "A"]))
