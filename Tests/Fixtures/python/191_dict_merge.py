# Merging dicts with {**a, **b}, | and |=, and update precedence.
a = {"x": 1, "y": 2}
b = {"y": 20, "z": 30}
print({**a, **b})
print(a | b)
print(b | a)
c = dict(a)
c |= b
print(c)
c |= [("w", 0)]
print(c)
print(a, b)
defaults = {"color": "red", "size": "M"}
overrides = {"size": "L"}
print({**defaults, **overrides, "extra": True})
try:
    a | [("k", 1)]
except TypeError as e:
    print(e)
