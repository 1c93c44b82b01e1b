# A failing assert with a message ends the program.
def check_positive(x):
    assert x > 0, f"expected a positive number, got {x}"
    return x

print(check_positive(5))
print(check_positive(-3))
