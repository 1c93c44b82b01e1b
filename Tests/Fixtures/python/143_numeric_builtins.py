# abs, divmod, pow, round, min, max, sum on numbers.
print(abs(-5), abs(3.5), abs(-0.0), abs(True), abs(-10 ** 20))
print(divmod(17, 5), divmod(-17, 5), divmod(17.5, 5))
print(pow(2, 8), pow(2.5, 2), pow(9, 0.5))
print(min(3, 1, 2), max(3, 1, 2), min([4, 2, 8]), max("apple"))
print(sum([1, 2, 3]), sum([0.25] * 10), sum(range(101)), sum([], 5))
print(sum([[1], [2]], []), sum((1.5, 2.5)), sum([1, 2], 10))
print(max(1, 2.5), min(-1, -1.0), max([1, 3], [2]))
