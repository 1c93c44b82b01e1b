# __lt__ and friends with sorted, min, max; reflected comparisons.
class Version:
    def __init__(self, s):
        self.parts = tuple(int(p) for p in s.split("."))
    def __lt__(self, other):
        return self.parts < other.parts
    def __le__(self, other):
        return self.parts <= other.parts
    def __eq__(self, other):
        return self.parts == other.parts
    def __repr__(self):
        return "V" + ".".join(map(str, self.parts))

vs = [Version("1.10"), Version("1.2"), Version("1.2.1"), Version("0.9")]
print(sorted(vs))
print(min(vs), max(vs))
print(Version("2.0") > Version("1.9"))
print(Version("1.0") >= Version("1.0"))
try:
    Version("1.0") < 5
except AttributeError as e:
    print("AttributeError", e)
