# random.shuffle and random.sample after seeding.
import random
random.seed(7)
deck = list(range(10))
random.shuffle(deck)
print(deck)
print(random.sample(range(100), 5))
print(random.sample(["a", "b", "c", "d"], 2))
words = ["alpha", "beta", "gamma", "delta", "epsilon"]
random.shuffle(words)
print(words)
print(sorted(random.sample(words, len(words))) == sorted(words))
try:
    random.sample([1, 2], 3)
except ValueError as e:
    print(e)
