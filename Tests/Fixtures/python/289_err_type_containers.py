# TypeError messages for subscripting, iterating, hashing and item assignment.
five, nothing, text = 5, None, "abc"
cases = [
    lambda: five[0],
    lambda: nothing[0],
    lambda: len[0],
    lambda: [x for x in 5],
    lambda: list(None),
    lambda: {[1]: 2},
    lambda: {{}},
    lambda: set([[1]]),
    lambda: hash([]),
    lambda: text["1"],
    lambda: [1, 2][float(1)],
    lambda: (1, 2).append(3),
    lambda: sorted([1, "a"]),
    lambda: "".join([1]),
]
for c in cases:
    try:
        c()
    except (TypeError, AttributeError) as e:
        print(type(e).__name__, e)
