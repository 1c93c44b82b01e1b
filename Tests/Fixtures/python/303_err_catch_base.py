# Catching by base classes: Exception, LookupError, ArithmeticError.
def classify(thunk):
    try:
        thunk()
    except LookupError as e:
        return "LookupError/" + type(e).__name__
    except ArithmeticError as e:
        return "ArithmeticError/" + type(e).__name__
    except Exception as e:
        return "Exception/" + type(e).__name__
    return "no error"
print(classify(lambda: [][1]))
print(classify(lambda: {}["x"]))
print(classify(lambda: 1 / 0))
print(classify(lambda: float(10 ** 400)))
print(classify(lambda: int("q")))
print(classify(lambda: None.x))
print(classify(lambda: 1))
