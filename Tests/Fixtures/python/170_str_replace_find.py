# replace with count, find/rfind/index/rindex/count.
s = "banana bandana"
print(s.replace("an", "AN"), s.replace("an", "", 2), s.replace("x", "y"))
print(s.replace("", "-")[:12], "aaa".replace("a", "b", 0))
print(s.find("an"), s.find("an", 3), s.find("zz"), s.rfind("an"), s.find(""))
print(s.index("ban"), s.rindex("ban"), s.count("an"), s.count("a"), s.count(""))
print(s.find("a", 2, 4), s.count("an", 0, 6), "aaaa".count("aa"))
try:
    s.index("zz")
except ValueError as e:
    print(e)
try:
    s.rindex("q")
except ValueError as e:
    print(e)
