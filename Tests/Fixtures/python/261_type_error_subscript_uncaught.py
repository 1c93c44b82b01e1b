# Subscripting a value that does not support it.
values = [10, 20]
print(values[0])
n = len(values)
print(n[0])
