# ZeroDivisionError from division, floor division, modulo, divmod and float ops.
def safe(f, *args):
    try:
        return f(*args)
    except ZeroDivisionError as e:
        return f"{type(e).__name__}: {e}"
print(safe(lambda a, b: a / b, 1, 0))
print(safe(lambda a, b: a // b, 10, 0))
print(safe(lambda a, b: a % b, 10, 0))
print(safe(lambda a, b: a / b, 1.5, 0))
print(safe(lambda a, b: a / b, 1, 0.0))
print(safe(lambda a, b: a // b, 2.0, 0))
print(safe(divmod, 7, 0))
print(safe(lambda a, b: a / b, 10 ** 50, 0))
print(safe(lambda a, b: a / b, 0, 0))
print(issubclass(ZeroDivisionError, ArithmeticError))
