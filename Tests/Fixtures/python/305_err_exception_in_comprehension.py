# Exceptions raised inside comprehensions, lambdas and sort keys propagate normally.
data = ["1", "2", "x", "4"]
try:
    nums = [int(s) for s in data]
except ValueError as e:
    print("comprehension:", e)
def safe_int(s):
    try:
        return int(s)
    except ValueError:
        return None
print([safe_int(s) for s in data])
try:
    sorted([1, 2, 0], key=lambda v: 10 / v)
except ZeroDivisionError as e:
    print("sort key:", e)
try:
    {k: k[0] for k in ["a", ""]}
except IndexError as e:
    print("dict comp:", e)
