# __getitem__ receiving slice objects; slice attributes.
class Seq:
    def __getitem__(self, key):
        if isinstance(key, slice):
            return ("slice", key.start, key.stop, key.step)
        return ("index", key)

s = Seq()
print(s[3])
print(s[1:5])
print(s[::2])
print(s[:-1:3])
print(s["k"])
print(s[1, 2])
sl = slice(1, 10, 2)
print(sl.start, sl.stop, sl.step)
print(list(range(20))[sl])
print(slice(3))
