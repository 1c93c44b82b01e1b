# ValueError messages for unpacking counts in several statement forms.
def unpack(seq, n):
    try:
        if n == 2:
            a, b = seq
        elif n == 3:
            a, b, c = seq
        else:
            a, *b, c, d = seq
        print("ok", seq)
    except ValueError as e:
        print(e)
unpack([1], 2)
unpack([1, 2, 3], 2)
unpack("ab", 3)
unpack(range(10), 3)
unpack([1, 2], 4)
unpack({"k": 1, "j": 2}, 2)
try:
    for x, y in [(1, 2), (3, 4, 5)]:
        print(x, y)
except ValueError as e:
    print(e)
