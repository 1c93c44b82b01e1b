# TypeError messages for calling non-callables and bad argument lists.
class Widget:
    def __init__(self, size):
        self.size = size
    def resize(self, factor):
        return self.size * factor
def kwonly(a, *, b):
    return a + b
five, text, nothing, items = 5, "text", None, [1]
cases = [
    lambda: five(),
    lambda: text(),
    lambda: items()[0],
    lambda: nothing(),
    lambda: Widget(),
    lambda: Widget(1, 2),
    lambda: Widget(1).resize(),
    lambda: Widget(1).resize(1, 2),
    lambda: Widget(size=1, color="red"),
    lambda: len(),
    lambda: len([], []),
    lambda: kwonly(1),
    lambda: kwonly(1, 2),
]
for c in cases:
    try:
        c()
    except TypeError as e:
        print(e)
