# math.isclose, fsum, modf, frexp-free float helpers.
import math
print(0.1 + 0.2 == 0.3, math.isclose(0.1 + 0.2, 0.3))
print(math.isclose(1.0, 1.001), math.isclose(1.0, 1.001, rel_tol=1e-2))
print(math.isclose(0.0, 1e-10), math.isclose(0.0, 1e-10, abs_tol=1e-9))
acc = 0.0
for _ in range(10):
    acc += 0.1
print(acc, math.fsum([0.1] * 10), math.fsum([1e100, 1.0, -1e100]), 1e100 + 1.0 - 1e100)
print(math.modf(3.75), math.modf(-2.5))
print(math.floor(1e300) == int(1e300), math.ceil(5), math.floor(5))
print(math.dist([0, 0], [3, 4]), math.remainder(10, 3))
