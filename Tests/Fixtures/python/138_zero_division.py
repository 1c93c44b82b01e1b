# ZeroDivisionError messages for int and float operations.
tests = [
    lambda: 1 / 0,
    lambda: 1 // 0,
    lambda: 1 % 0,
    lambda: 1.0 / 0,
    lambda: 1.0 // 0.0,
    lambda: divmod(1, 0),
    lambda: 10 ** 30 / 0,
    lambda: 2.5 / 0.0,
    lambda: 7 // 0.0,
]
for t in tests:
    try:
        t()
    except ZeroDivisionError as e:
        print(e)
