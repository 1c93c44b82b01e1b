# Float division by zero is uncaught.
rates = [0.5, 0.25, 0.0]
print("rates:", rates)
for r in rates:
    print(1.0 / r)
