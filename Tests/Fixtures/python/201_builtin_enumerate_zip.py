# enumerate with start; zip of uneven iterables, strict=False behaviour, unzip.
for i, c in enumerate("abc"):
    print(i, c, end=" ")
print()
print(list(enumerate(["x", "y"], start=10)), list(enumerate([], 1)))
print(list(zip([1, 2, 3], "ab")))
print(list(zip()), list(zip([1])), list(zip(range(3), range(10), "wxyz")))
pairs = [(1, "a"), (2, "b"), (3, "c")]
nums, letters = zip(*pairs)
print(nums, letters)
print(dict(zip(["k1", "k2"], [True, False])))
try:
    list(zip([1, 2], [1], strict=True))
except ValueError as e:
    print(e)
