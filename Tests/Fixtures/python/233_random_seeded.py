# random after random.seed: random(), randint, choice, uniform (exact CPython values).
import random
random.seed(42)
print([random.random() for _ in range(3)])
print([random.randint(1, 6) for _ in range(10)])
print(random.choice(["red", "green", "blue"]), random.choice("abcdef"))
print(random.uniform(1, 10), random.randrange(0, 100, 5))
random.seed(42)
print(random.random())
random.seed("text seed")
print(random.randint(1, 1000))
