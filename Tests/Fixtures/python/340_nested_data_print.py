# print and repr of deeply nested mixed data structures.
data = {
    "ids": (1, 2, 3),
    "pairs": [("a", 1.5), ("b", None)],
    "flags": {"on": True, "off": False},
    "nested": [[[]], [{}], [()]],
    "text": "quote's",
    "empty": "",
}
print(data)
print(list(data.items())[1])
print([data["pairs"], data["ids"][::-1]])
print(str(data["nested"]), repr(data["text"]))
