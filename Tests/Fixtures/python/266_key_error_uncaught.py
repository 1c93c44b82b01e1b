# Missing dictionary key is an uncaught KeyError showing the key's repr.
prices = {"apple": 1.25, "pear": 0.75}
print(prices["apple"])
print(sorted(prices))
print(prices["banana"])
