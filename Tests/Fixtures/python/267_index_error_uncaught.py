# Indexing past the end of a list is an uncaught IndexError.
items = ["a", "b", "c"]
print(len(items), "items")
for i in range(4):
    print(i, items[i])
