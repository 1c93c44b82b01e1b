# assert with and without a message.
assert True
assert 1 + 1 == 2, "math works"
try:
    assert 1 > 2
except AssertionError as e:
    print("caught", repr(e), e.args)
try:
    assert [], "list was empty"
except AssertionError as e:
    print("caught", e)
def positive(x):
    assert x > 0, f"expected positive, got {x}"
    return x
print(positive(3))
try:
    positive(-2)
except AssertionError as e:
    print(type(e).__name__, e)
