# Unpacking too few values is an uncaught ValueError.
pairs = [("a", 1), ("b", 2), ("c",)]
for pair in pairs:
    key, value = pair
    print(key, value)
