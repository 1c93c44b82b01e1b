# Returning from try, except, else and finally in different combinations.
def f(x):
    try:
        if x == 0:
            return "try-return"
        if x == 1:
            raise ValueError
    except ValueError:
        return "except-return"
    else:
        return "else-return"
    finally:
        print("finally for", x)
for x in range(3):
    print(f(x))
def g():
    result = []
    try:
        result.append("try")
        return result
    finally:
        result.append("finally")
print(g())
