# set creation, add, remove, discard, pop of a single element, membership.
s = {3, 1, 2}
print(s, len(s), 2 in s)
s.add(4)
s.add(1)
print(s)
s.remove(3)
s.discard(100)
print(s)
try:
    s.remove(100)
except KeyError as e:
    print("KeyError", e)
print(set(), set([1, 1, 2]), set("aab") == {"a", "b"}, set(range(5)))
one = {7}
print(one.pop(), one)
try:
    one.pop()
except KeyError as e:
    print(e)
print(sorted({"b", "c", "a"}))
