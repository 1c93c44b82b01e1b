# String concatenation, repetition, comparison, in, len, indexing.
a, b = "abc", "abd"
print(a + b, a * 3, 3 * "-", "x" * 0, "x" * -2)
print(a < b, a == "abc", a != b, "B" < "a", "apple" > "app", "a" * 3 == "aaa")
print(len(""), len("héllo"), len("😀"), a[0], a[-1])
print("bc" in a, "ac" in a, "" in a)
print(min("hello"), max("hello"), sorted("hello"))
print(list("abc"), tuple("ab"), set("aab") == {"a", "b"})
try:
    a[5]
except IndexError as e:
    print(e)
try:
    a[0] = "z"
except TypeError as e:
    print(e)
try:
    "a" + 1
except TypeError as e:
    print(e)
