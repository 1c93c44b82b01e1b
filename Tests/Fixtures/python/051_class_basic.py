# Class with __init__, instance attributes, and methods.
class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def dist2(self, other):
        return (self.x - other.x) ** 2 + (self.y - other.y) ** 2

    def move(self, dx, dy):
        self.x += dx
        self.y += dy
        return self

p = Point(1, 2)
q = Point(4, 6)
print(p.x, p.y)
print(p.dist2(q))
p.move(1, 1).move(1, 1)
print(p.x, p.y)
print(type(p).__name__, isinstance(p, Point))
p.z = 99
print(p.z)
print(Point.dist2(p, q))
