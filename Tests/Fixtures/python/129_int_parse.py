# int() from strings: long digit strings, whitespace, signs, underscores, bases.
print(int("123456789012345678901234567890123456789"))
print(int("-000042"), int("  17  "), int("+5"), int("1_000_000"))
print(int("ff", 16), int("0xff", 16), int("0xFF", 0), int("777", 8), int("0o17", 0))
print(int("1010", 2), int("0b11", 0), int("z", 36), int("-10", 3))
print(int(3.99), int(-3.99), int(True), int("9" * 30) + 1)
for bad in ["", "1.5", "abc", "1 2", "0x10"]:
    try:
        int(bad)
    except ValueError as e:
        print(e)
try:
    int("12", 2)
except ValueError as e:
    print(e)
