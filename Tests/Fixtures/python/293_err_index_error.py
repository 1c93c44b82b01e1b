# IndexError messages for lists, strings, tuples, ranges and pop.
cases = [
    lambda: [][0],
    lambda: [1, 2][-3],
    lambda: "abc"[10],
    lambda: ""[0],
    lambda: (1,)[1],
    lambda: range(3)[3],
    lambda: [].pop(),
    lambda: [1].pop(5),
    lambda: [1, 2].insert(10, 0) or [1][1],
]
for c in cases:
    try:
        c()
    except IndexError as e:
        print(e)
def assign():
    lst = [0]
    lst[1] = 5
try:
    assign()
except IndexError as e:
    print(e)
