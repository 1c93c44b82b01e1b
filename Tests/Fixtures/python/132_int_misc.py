# True + 1, bool arithmetic, equality across int/float/bool.
print(True + 1, True + True, False * 10, -True)
print(1 == 1.0, 1 == True, 0 == False, 2 == True)
one = 1
print(one is True, type(True + 0).__name__)
print(sum([True, True, False, True]))
print(10 / 5 == 2, type(10 / 5).__name__)
print(int("7") + float("0.5"))
print(3 * "ab", [0] * 3, 2 * (1,))
print(round(7), round(-7), abs(-0), max(True, 0))
print(hash(1) == hash(1.0), hash(-1), hash(0), hash(10 ** 20) == hash(10 ** 20))
