# in / not in for lists, strings, dicts, sets, tuples, ranges.
print(3 in [1, 2, 3], 4 not in [1, 2, 3])
print("ell" in "hello", "" in "abc", "z" not in "abc")
d = {"a": 1}
print("a" in d, 1 in d, 1 in d.values(), ("a", 1) in d.items())
print(2 in {1, 2}, (1, 2) in [(1, 2)], [1] in [[1]])
print(5 in range(0, 10, 5), 3 in range(0, 10, 5), 10 in range(10))
print(1.0 in [1], True in [1], None in [0, False])
try:
    [1] in {1}
except TypeError as e:
    print(e)
try:
    1 in 5
except TypeError as e:
    print(e)
