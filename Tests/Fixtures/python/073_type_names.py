# type(x).__name__ and class __name__ for builtins and user classes.
class Widget:
    pass
values = [1, 1.5, "s", [1], (1,), {1: 2}, {1}, None, True, range(2), Widget(), len, lambda: 0]
for v in values:
    print(type(v).__name__)
print(Widget.__name__, type(Widget).__name__, type(type).__name__)
print(type(3) is int, type(True) is int, type(True) == bool)
