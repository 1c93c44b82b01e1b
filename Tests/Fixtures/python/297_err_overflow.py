# OverflowError messages for int/float conversion.
cases = [
    lambda: float(10 ** 400),
    lambda: int(float("inf")),
    lambda: int(float("-inf")),
    lambda: 10 ** 400 / 1,
    lambda: 1.5 * 10 ** 400,
    lambda: round(float("inf")),
    lambda: math_floor_inf(),
]
def math_floor_inf():
    import math
    return math.floor(math.inf)
for c in cases:
    try:
        c()
    except OverflowError as e:
        print(e)
try:
    int(float("nan"))
except ValueError as e:
    print("ValueError", e)
