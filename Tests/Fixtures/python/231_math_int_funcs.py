# math.gcd, factorial, comb, perm, isqrt, prod, lcm.
import math
print(math.gcd(12, 18), math.gcd(0, 5), math.gcd(-4, 6), math.gcd(7, 13), math.gcd())
print(math.factorial(0), math.factorial(5), math.factorial(20), math.factorial(30))
print(math.comb(5, 2), math.comb(52, 5), math.comb(10, 0), math.comb(3, 5), math.perm(5, 2))
print(math.prod([1, 2, 3, 4]), math.prod([]), math.prod(range(1, 11)), math.prod([0.5, 4]))
print(math.isqrt(17), math.isqrt(10 ** 20), math.lcm(4, 6), math.gcd(2 ** 100, 6 ** 50))
try:
    math.factorial(-1)
except ValueError as e:
    print(e)
try:
    math.factorial(2.5)
except (TypeError, ValueError) as e:
    print(type(e).__name__)
