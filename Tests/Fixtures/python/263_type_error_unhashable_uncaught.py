# Using a list as a dict key raises an uncaught TypeError.
seen = {}
seen[(1, 2)] = "tuple ok"
print(seen)
seen[[1, 2]] = "list not ok"
print(seen)
