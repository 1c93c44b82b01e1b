# round() with banker's rounding and ndigits, for floats and ints.
print(round(0.5), round(1.5), round(2.5), round(-0.5), round(-1.5))
print(round(2.675, 2), round(1.005, 2), round(0.125, 2), round(0.375, 2))
print(round(3.14159, 3), round(3.14159, 0), round(3.7))
print(type(round(3.7)).__name__, type(round(3.7, 0)).__name__)
print(round(1234.5678, -2), round(1250, -2), round(1350, -2), round(-1250, -2))
print(round(15, -1), round(25, -1), round(5, 2))
print(round(1e20), round(-0.4), round(0.49999999999999994))
print(round(2.5, None), round(1.23456789, 5))
