# zfill, center, ljust, rjust with and without fill characters.
print("42".zfill(5), "-42".zfill(5), "+7".zfill(4), "abc".zfill(2), "".zfill(3))
print("[" + "hi".center(8) + "]", "[" + "hi".center(7, "*") + "]", "[" + "odd".center(6) + "]")
print("[" + "x".ljust(4) + "]", "[" + "x".rjust(4, ".") + "]", "[" + "long".ljust(2) + "]")
for name, price in [("apple", 1.5), ("kiwi", 12.25)]:
    print(name.ljust(8, ".") + f"{price:.2f}".rjust(7))
try:
    "x".center(5, "ab")
except TypeError as e:
    print(e)
