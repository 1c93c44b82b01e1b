# Iterating over an int is an uncaught TypeError.
total = 0
for x in [1, 2, 3]:
    total += x
print(total)
for y in total:
    print(y)
