# Formatting currency-like floats and ints with rounding and thousands separators.
prices = [0.1, 2.5, 1234.5678, 1e6, 19.999, 0.005, 1.005]
for p in prices:
    print(f"${p:,.2f}", f"{p:>12.3f}", round(p, 2), "%.2f" % p)
total = sum(prices)
print(f"total={total:.2f}", f"{total:e}", f"{int(total):,}")
cents = 123456789
print(f"${cents // 100:,}.{cents % 100:02d}")
