# Assignment expressions (:=) in if, while and comprehensions.
data = [3, 8, 1, 9, 4]
if (n := len(data)) > 3:
    print("long list with", n, "items")
items = iter(["a", "b", "stop", "c"])
while (item := next(items)) != "stop":
    print("item", item)
values = [y for x in data if (y := x * 2) > 6]
print(values)
print(y)
print((z := 5) + z)
def f(v):
    return v * 10
results = [r for v in range(4) if (r := f(v)) % 20 == 0]
print(results)
