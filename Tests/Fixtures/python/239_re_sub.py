# re.sub with backreferences, named groups, counts and functions; re.subn.
import re
print(re.sub(r"(\w+)@(\w+)", r"\2 at \1", "me@home you@work"))
print(re.sub(r"(?P<first>\w+) (?P<last>\w+)", r"\g<last>, \g<first>", "Ada Lovelace"))
print(re.sub(r"\s+", " ", "  too   many    spaces  ").strip())
print(re.sub(r"\d", "#", "a1b2c3", count=2))
print(re.sub(r"\d+", lambda m: str(int(m.group()) * 2), "3 apples and 12 pears"))
print(re.subn(r"o", "0", "foo boo"))
print(re.sub(r"^", "> ", "line1\nline2", flags=re.MULTILINE))
print(re.sub(r"(a)(b)?", r"[\1\2]", "ab a"))
print(re.sub("x", "\\\\", "axb"), re.sub(r"\.", "", "a.b.c"))
