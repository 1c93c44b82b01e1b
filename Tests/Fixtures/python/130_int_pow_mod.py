# pow() with two and three arguments, modular inverse, big exponents.
print(pow(2, 10), pow(2, -2), pow(-2, 3))
print(pow(3, 200, 1000000007))
print(pow(2, 100, 97), pow(5, 0, 7), pow(7, 1, 1))
print(pow(3, -1, 11), (3 * pow(3, -1, 11)) % 11)
print(pow(-3, 3, 5), pow(10 ** 20, 3, 10 ** 9 + 7))
try:
    pow(2, -1, 4)
except ValueError as e:
    print(e)
try:
    pow(2, 3, 0)
except ValueError as e:
    print(e)
print(pow(2.0, 3), pow(4, 0.5))
