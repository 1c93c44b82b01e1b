# Conditional expressions and their evaluation order.
def v(x):
    print("eval", x)
    return x
print(v("a") if v(True) else v("b"))
print(v("a") if v(0) else v("b"))
n = 7
print("odd" if n % 2 else "even")
print([x if x > 0 else 0 for x in [-2, 3, -1, 5]])
kind = "big" if n > 100 else "medium" if n > 5 else "small"
print(kind)
print((1 if True else 2) + 10)
print(None if [] else "empty list is falsy")
