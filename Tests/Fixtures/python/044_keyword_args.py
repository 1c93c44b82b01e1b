# Calling with keyword arguments, positional-only style and mixing.
def box(width, height=1, *, label="box"):
    return f"{label}: {width}x{height}"

print(box(2))
print(box(2, 3))
print(box(height=5, width=4))
print(box(1, label="tag"))
args = (7, 8)
kwargs = {"label": "unpacked"}
print(box(*args, **kwargs))
def pos_only(a, b, /, c):
    return a + b + c
print(pos_only(1, 2, c=3))
try:
    pos_only(a=1, b=2, c=3)
except TypeError as e:
    print(e)
