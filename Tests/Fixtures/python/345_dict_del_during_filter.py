# Removing dict entries safely by iterating over a copy or building a new dict.
inventory = {"apple": 0, "pear": 3, "plum": 0, "kiwi": 5}
for k in list(inventory):
    if inventory[k] == 0:
        del inventory[k]
print(inventory)
stock = {"a": 1, "b": 0, "c": 2}
stock = {k: v for k, v in stock.items() if v}
print(stock)
counts = {"x": 2, "y": 1}
while counts:
    key, val = counts.popitem()
    print("popped", key, val)
print(counts)
