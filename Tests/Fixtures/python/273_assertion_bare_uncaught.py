# A failing assert without a message ends the program with a bare AssertionError.
values = [3, 2, 1]
assert len(values) == 3
print("length ok")
assert values == sorted(values)
print("not reached")
