# Exception args, str and repr of built-in exceptions.
e = ValueError("bad value", 42)
print(e.args)
print(str(e))
print(repr(e))
e1 = ValueError("one")
print(str(e1), repr(e1), e1.args)
e0 = RuntimeError()
print(repr(str(e0)), repr(e0), e0.args)
k = KeyError("name")
print(str(k), repr(k))
try:
    raise TypeError
except TypeError as e:
    print(repr(e), e.args)
print(isinstance(KeyError(), LookupError), issubclass(ZeroDivisionError, ArithmeticError))
print(issubclass(ValueError, Exception), issubclass(Exception, BaseException))
