# More math: floor/ceil of large and negative floats, inf comparisons, trig identities.
import math
print(math.floor(-1e-9), math.ceil(-0.5), math.floor(1e18), math.ceil(2.0000001))
print(math.inf > 1e308, -math.inf < -1e308, math.inf == float("inf"))
print(math.isnan(math.inf - math.inf), math.isinf(-math.inf))
print(math.sqrt(2) ** 2, math.isclose(math.sqrt(2) ** 2, 2))
print(math.gcd(48, 180), math.factorial(12) // math.factorial(10), math.comb(6, 3))
print(round(math.sin(math.pi), 10), round(math.cos(math.pi), 10), round(math.tan(0.0), 3))
print(math.fsum([0.1] * 3), 0.1 + 0.1 + 0.1, math.prod([2, 3, 7]))
print(math.trunc(-7.9), math.floor(-7.9), math.ceil(-7.9), int(-7.9))
