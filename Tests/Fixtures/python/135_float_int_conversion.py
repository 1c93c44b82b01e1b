# int() of floats, large floats, and errors for nan and infinity.
print(int(1e19), int(1e300) // 10 ** 290)
print(int(-2.9), int(2.9), int(1e16 + 1))
print(float(10 ** 20), float("1e3"), float("  -2.5 "), float(" inf"))
print(float(2 ** 53 + 1), float("-0"), float(7))
for text in ["nan", "inf"]:
    try:
        int(float(text))
    except (ValueError, OverflowError) as e:
        print(type(e).__name__, e)
try:
    float("abc")
except ValueError as e:
    print(e)
try:
    float(10 ** 400)
except OverflowError as e:
    print(e)
print((2.5).is_integer(), (2.0).is_integer(), (7.0).as_integer_ratio())
