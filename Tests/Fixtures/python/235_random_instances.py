# random.Random instances with their own seeds give reproducible streams.
import random
r1 = random.Random(123)
r2 = random.Random(123)
a = [r1.randint(0, 99) for _ in range(5)]
b = [r2.randint(0, 99) for _ in range(5)]
print(a, a == b)
r3 = random.Random(0)
print(r3.random(), r3.choice([10, 20, 30]), r3.uniform(-1, 1))
random.seed(0)
print(random.random() == random.Random(0).random())
print(random.choices(["x", "y", "z"], k=6), random.choices([1, 2], weights=[9, 1], k=5))
