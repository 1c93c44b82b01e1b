# Big-integer multiplication, division and modulo with negative operands.
a = 123456789012345678901234567890
b = -987654321098765432109876543210
print(a * b)
print(b // a, b % a)
print(a // b, a % b)
print(-a // 7, -a % 7)
print(divmod(b, 12345678901), divmod(a, -3))
print(a - b, a + b)
print(a ** 3)
print(b * b > a * a, -a < b)
print((a * b) // b == a)
print(9223372036854775807 * 2, 9223372036854775807 * -2)
print(-9223372036854775808 * -1, -9223372036854775808 - 1)
print(4611686018427387904 * 2, 3037000500 * 3037000500)
