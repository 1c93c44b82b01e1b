cases = [(3, 5, 7), (-3, 5, 7), (3, 5, -7), (-3, 5, -7), (2, 0, 1), (2, 0, 5), (0, 0, 3), (5, -1, 7), (-5, -3, 11), (10**30 + 7, 10**20, 10**18 + 9), (2, 10**50, 10**40 - 3), (7, 123456789, -1000003), (0, 5, 13), (12, 3, 1), (12, 3, -1)]
for b, e, m in cases:
    try:
        print(b, e, m, pow(b, e, m))
    except Exception as ex:
        print(b, e, m, type(ex).__name__, ex)
try:
    pow(2, 3, 0)
except ValueError as ex:
    print(ex)
try:
    pow(4, -1, 8)
except ValueError as ex:
    print(ex)
