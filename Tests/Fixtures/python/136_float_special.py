# inf and nan behaviour in comparisons and arithmetic.
inf = float("inf")
nan = float("nan")
print(inf > 10 ** 300, -inf < -1e308, inf == inf, inf - inf)
print(nan == nan, nan != nan, nan < 1, nan > 1)
print(inf * 0, inf + 1, -inf * -1, 1 / inf)
print(max(1, inf), min(-inf, 0))
print([nan] == [nan], nan in [nan])
x = nan
print(x is x, [x] == [x])
print(1e308 * 10, -1e308 * 10)
print(repr(float("NaN")), repr(float("-Infinity")))
print(0.0 == -0.0, str(-0.0), -0.0 + 0.0)
