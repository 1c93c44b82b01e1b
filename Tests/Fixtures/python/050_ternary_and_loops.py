# Conditional expressions inside loops, comprehensions and arguments.
for n in range(1, 16):
    out = "FizzBuzz" if n % 15 == 0 else "Fizz" if n % 3 == 0 else "Buzz" if n % 5 == 0 else n
    print(out, end=" ")
print()
print(["even" if i % 2 == 0 else "odd" for i in range(4)])
def sign(x):
    return -1 if x < 0 else (0 if x == 0 else 1)
print([sign(v) for v in (-3, 0, 7)])
print(max(1, 2) if True else min(1, 2))
