# str.split with and without separator and maxsplit; rsplit.
s = "  the quick  brown\tfox\njumps "
print(s.split())
print(s.split(" "))
print("a,b,,c".split(","), "a,b,,c".split(",", 1), "a,b,,c".split(",", maxsplit=2))
print("".split(), "".split(","), "   ".split(), " x ".split(" "))
print("a b c d".split(None, 2), "a-b-c-d".rsplit("-", 1), "a b c".rsplit(maxsplit=1))
print("one::two::three".split("::"), "abc".split("abc"))
print("k=v=w".partition("="), "k=v=w".rpartition("="), "none".partition("="))
try:
    "abc".split("")
except ValueError as e:
    print(e)
