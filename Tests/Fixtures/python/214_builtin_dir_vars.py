# dir() on user classes and instances, filtered to public names.
class Shape:
    sides = 0
    def area(self):
        return 0
    def _private(self):
        pass

class Square(Shape):
    sides = 4
    def __init__(self, s):
        self.s = s
    def area(self):
        return self.s ** 2
    def perimeter(self):
        return 4 * self.s

sq = Square(3)
print([n for n in dir(sq) if not n.startswith("_")])
print([n for n in dir(Shape) if not n.startswith("_")])
print("area" in dir(sq), "__init__" in dir(sq))
print(vars(sq), sq.area(), sq.perimeter())
