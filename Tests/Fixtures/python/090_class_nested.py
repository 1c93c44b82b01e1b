# Nested classes and class bodies executing code at definition time.
class Outer:
    print("class body runs")
    class Inner:
        def hello(self):
            return "inner hello"
    squares = [i * i for i in range(4)]
    total = sum(squares)

print(Outer.Inner().hello())
print(Outer.squares, Outer.total)
print(Outer.Inner.__name__, Outer.Inner.__qualname__)
