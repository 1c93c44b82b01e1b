# re.match, re.search, re.fullmatch and match objects.
import re
m = re.match(r"(\w+) (\w+)", "Hello World and more")
print(m.group(0), m.group(1), m.group(2), m.groups(), m.start(), m.end(), m.span(2))
print(re.match(r"\d+", "abc123"), re.search(r"\d+", "abc123").group())
print(re.fullmatch(r"\d{3}-\d{4}", "555-1234") is not None, re.fullmatch(r"\d+", "12a"))
s = re.search(r"(?P<user>\w+)@(?P<host>[\w.]+)", "contact: bob@example.com today")
print(s.group("user"), s.group("host"), s.groupdict(), s["user"])
print(s.group(1, 2), s.start("host"))
if re.search(r"^\s*$", "   "):
    print("blank line")
print(bool(re.match("a", "ba")), bool(re.search("a", "ba")))
