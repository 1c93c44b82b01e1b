# TypeError messages for unsupported operand types.
cases = [
    lambda: 1 + "a",
    lambda: "a" + 1,
    lambda: [1] + (2,),
    lambda: {} + {},
    lambda: None + 1,
    lambda: "a" * "b",
    lambda: [1] * 1.5,
    lambda: 1 - "x",
    lambda: "abc" / 2,
    lambda: 2 ** "x",
    lambda: -"s",
    lambda: ~1.5,
    lambda: 1 < None,
    lambda: {1} + {2},
    lambda: 5 % "a",
]
for c in cases:
    try:
        c()
    except TypeError as e:
        print(e)
