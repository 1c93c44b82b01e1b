# math logarithms, exponentials and powers.
import math
print(math.log(math.e), math.log(1), math.log(100, 10), math.log(8, 2))
print(math.log2(8), math.log2(1024), math.log10(1000), math.log10(0.001))
print(math.exp(0), math.exp(1), math.exp(2), math.log1p(0))
print(math.pow(2, 10), math.pow(2, 0.5), math.pow(-8, 3), math.pow(0, 0))
print(math.log(10 ** 100), math.log2(2 ** 1000))
print(math.hypot(3, 4), math.degrees(math.pi), math.radians(180))
print(round(math.sin(math.pi / 2), 12), round(math.cos(0), 12), math.atan2(1, 1) * 4)
for bad in [0, -1]:
    try:
        math.log(bad)
    except ValueError as e:
        print(e)
try:
    math.exp(1000)
except OverflowError as e:
    print(e)
