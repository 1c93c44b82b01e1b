# Integer division by zero is uncaught.
def average(xs):
    return sum(xs) // len(xs)

print(average([2, 4, 6]))
print(average([]))
