# ValueError messages from conversions, list methods and unpacking.
cases = [
    lambda: int("x"),
    lambda: int("3.5"),
    lambda: int(""),
    lambda: float("1,5"),
    lambda: [1, 2].remove(3),
    lambda: [1, 2].index(3),
    lambda: "abc".index("d"),
    lambda: int("12", 40),
    lambda: range(0, 1, 0),
    lambda: max([]),
    lambda: "a,b".split(","[0:0]),
    lambda: chr(0x110000),
    lambda: "{:d}".format(1.5),
]
for c in cases:
    try:
        c()
    except ValueError as e:
        print(e)
