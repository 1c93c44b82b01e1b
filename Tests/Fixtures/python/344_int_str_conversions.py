# str() of big ints, int() round trips, digit sums and formatting.
n = 2 ** 200
s = str(n)
print(s, len(s), int(s) == n)
print(sum(int(d) for d in str(3 ** 100)))
print(str(-10 ** 25), int("-" + "9" * 25) - 1)
print(f"{10 ** 24:,}", f"{-(10 ** 24):_}", f"{2 ** 64:x}", f"{2 ** 70:e}")
print(int(str(12345)[::-1]), str(7).zfill(3), int("0" * 5 + "7"))
print(repr(10 ** 30), 10 ** 30 == int(1e30), int(1e30))
