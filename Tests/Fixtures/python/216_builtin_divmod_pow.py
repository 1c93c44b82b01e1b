# divmod and pow across int/float/negative inputs.
for a, b in [(17, 5), (-17, 5), (17, -5), (-17, -5), (0, 3), (10 ** 20, 7)]:
    print(a, b, divmod(a, b), (a // b, a % b) == divmod(a, b))
print(divmod(5.5, 2), divmod(-5.5, 2), divmod(1, 0.3))
print(pow(2, 10), pow(2, 0.5), pow(-8, 2), pow(2, -3), pow(0, 0))
print(pow(7, 2, 5), pow(123456789, 987654321, 1000000007))
