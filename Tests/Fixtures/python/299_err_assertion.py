# AssertionError forms: message types and catching by Exception.
def check(cond, *msg):
    try:
        if msg:
            assert cond, msg[0]
        else:
            assert cond
        return "passed"
    except AssertionError as e:
        return f"AssertionError args={e.args} str={str(e)!r}"
print(check(True))
print(check(False))
print(check(0, "zero"))
print(check([], ["list", "message"]))
print(check(None, 42))
try:
    assert 1 == 2, "one is not two"
except Exception as e:
    print(type(e).__name__, e)
