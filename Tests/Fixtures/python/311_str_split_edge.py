# split/rsplit edge cases: maxsplit 0 and -1, separators at the ends, repeated separators.
print("a b c".split(maxsplit=0), "a,b,c".split(",", 0), "a,b,c".split(",", -1))
print(",a,,b,".split(","), ",a,,b,".rsplit(",", 2), "  a  ".split(" "))
print("a\tb\nc  d".split(), "a.b.c".rsplit(".", 1)[0], "x".split("x"))
print("key: value: more".split(": ", 1), "no-sep".split(":"))
print("aXbXc".split("X"), "aXXb".split("X"), "line\n".split("\n"))
print("1,2;3".replace(";", ",").split(","))
text = "name=Ann; age=30; city=Oslo"
print(dict(part.split("=", 1) for part in text.split("; ")))
