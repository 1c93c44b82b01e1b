# Nested loops, break only exits the inner loop, search with for/else.
for i in range(3):
    for j in range(3):
        if j > i:
            break
        print(i, j, end="; ")
    print()
def find_prime_factors(n):
    result = []
    for p in range(2, n + 1):
        while n % p == 0:
            result.append(p)
            n //= p
    return result
print(find_prime_factors(360))
for n in range(2, 20):
    for d in range(2, n):
        if n % d == 0:
            break
    else:
        print(n, "is prime")
