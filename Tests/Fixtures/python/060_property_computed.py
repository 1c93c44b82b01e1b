# Properties computed from other attributes, used in expressions.
class Rect:
    def __init__(self, w, h):
        self.w, self.h = w, h
    @property
    def area(self):
        print("computing area")
        return self.w * self.h
    @property
    def is_square(self):
        return self.w == self.h

r = Rect(3, 4)
print(r.area + 1)
print(r.is_square)
r.w = 4
print(r.is_square, r.area)
print(sorted([Rect(2, 2), Rect(1, 1)], key=lambda x: x.w)[0].w)
