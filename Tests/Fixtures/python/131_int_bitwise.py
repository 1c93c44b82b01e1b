# Bitwise operators on positive, negative and large ints.
print(12 & 10, 12 | 10, 12 ^ 10, ~12, ~-1)
print(1 << 10, 1 << 70, 1024 >> 3, -1024 >> 3, -1 >> 100)
print(-12 & 10, -12 | 10, -12 ^ 10)
print((2 ** 70 + 5) & 0xFF, (2 ** 70) | 1)
print(0xFF ^ 0x0F, 0b1100 & 0b1010)
print(5 & True, True | False, True ^ True)
print((255).bit_length(), (-256).bit_length(), (0).bit_length())
try:
    1 << -1
except ValueError as e:
    print(e)
print(bin(5 & 3), hex(0xF0 | 0x0F))
