# math module: sqrt, floor, ceil, trunc, fabs, pi, e, inf, nan.
import math
print(math.sqrt(16), math.sqrt(2), math.floor(2.7), math.floor(-2.7), math.ceil(2.1))
print(math.ceil(-2.1), math.trunc(2.9), math.trunc(-2.9), math.fabs(-3), math.fabs(2.5))
print(math.pi, math.e, math.tau, math.inf, -math.inf, math.nan)
print(type(math.floor(2.5)).__name__, type(math.sqrt(4)).__name__, math.floor(10 ** 20 + 0.0))
print(math.isnan(math.nan), math.isnan(1.0), math.isinf(math.inf), math.isinf(-math.inf))
print(math.isfinite(1e308), math.isfinite(math.nan), math.floor(-0.0), math.copysign(1, -0.0))
try:
    math.sqrt(-1)
except ValueError as e:
    print(e)
