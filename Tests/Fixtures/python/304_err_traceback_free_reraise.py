# Exceptions re-raised across functions keep their type and message.
def level3():
    raise ValueError("deep problem")
def level2():
    level3()
def level1():
    try:
        level2()
    except ValueError:
        print("level1 logging and re-raising")
        raise
try:
    level1()
except ValueError as e:
    print("top caught:", e)
def swallow():
    try:
        level2()
    except ValueError as e:
        return f"swallowed {e}"
print(swallow())
