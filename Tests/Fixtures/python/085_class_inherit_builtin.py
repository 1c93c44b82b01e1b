# Subclassing list, dict and str.
class Stack(list):
    def push(self, x):
        self.append(x)
    def peek(self):
        return self[-1]

s = Stack([1, 2])
s.push(3)
print(s, s.peek(), len(s), isinstance(s, list))

class DefaultDict(dict):
    def __missing__(self, key):
        return f"<{key}?>"

d = DefaultDict(a=1)
print(d["a"], d["zz"], d)

class Shout(str):
    def shout(self):
        return self.upper() + "!"

print(Shout("hey").shout(), Shout("a") + "b")
