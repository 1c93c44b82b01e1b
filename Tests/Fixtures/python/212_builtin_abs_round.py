# abs and round on ints and floats with ndigits.
print(abs(-3), abs(3), abs(-2.5), abs(0), abs(-10 ** 25))
print(round(3.14159, 2), round(2.5), round(3.5), round(-2.5), round(0.125, 2))
print(round(123.456, -1), round(123.456, -2), round(-123.456, 1))
print(round(5), round(5, 1), round(1234, -3), round(1500, -3), round(2500, -3))
print(round(1e-20, 5), round(0.1 + 0.2, 10), round(2.675, 2))
print(round(float("inf")) if False else "skip inf")
try:
    round(float("inf"))
except OverflowError as e:
    print(e)
try:
    round("1.5")
except TypeError as e:
    print(e)
