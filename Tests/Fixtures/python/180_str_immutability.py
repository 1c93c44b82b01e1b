# Strings are immutable; methods return new strings.
s = "hello"
t = s.upper()
print(s, t)
s2 = s
s += " world"
print(s, s2)
print(s.replace("l", "L"), s)
chars = list(s)
chars[0] = "J"
print("".join(chars), s)
print(s[:1].upper() + s[1:])
print(s.strip("hd"), s)
