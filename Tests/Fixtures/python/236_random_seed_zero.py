# random with seed 0 and 2024: several draws in sequence.
import random
random.seed(0)
print(random.randint(0, 10), random.randint(0, 10), random.randint(0, 10))
print(round(random.random(), 6), random.choice(range(50)))
random.seed(2024)
vals = [random.randint(1, 100) for _ in range(8)]
print(vals, max(vals), sum(vals))
items = ["a", "b", "c"]
random.shuffle(items)
print(items, random.sample(items, 1))
