# Seeded random: reproducible sampling of examples and shuffled splits.
import random
examples = [f"ex{i}" for i in range(10)]
random.seed(1)
shuffled = examples[:]
random.shuffle(shuffled)
train, dev = shuffled[:7], shuffled[7:]
print(train)
print(dev)
random.seed(1)
again = examples[:]
random.shuffle(again)
print(again == shuffled)
random.seed(99)
print([random.randint(-5, 5) for _ in range(8)], random.choice(examples))
print(round(random.uniform(0, 1), 8), random.sample(examples, 3))
