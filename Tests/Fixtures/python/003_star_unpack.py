# Starred assignment targets: *rest at start, middle and end.
first, *rest = [1, 2, 3, 4]
print(first, rest)
*init, last = "abcd"
print(init, last)
a, *mid, b = (1, 2)
print(a, mid, b)
a, *mid, b = range(6)
print(a, mid, b)
(p, *q), r = [1, 2, 3], 4
print(p, q, r)
*all_of_it, = {1: "a", 2: "b"}
print(all_of_it)
for head, *tail in [(1, 2, 3), (4,)]:
    print(head, tail)
