# Optional groups, nested groups, non-capturing groups, lastindex.
import re
m = re.match(r"(\d+)(?:\.(\d+))?(px|em)?", "12.5em")
print(m.groups(), m.group(2), m.group(3))
m = re.match(r"(\d+)(?:\.(\d+))?(px|em)?", "7")
print(m.groups(), m.groups(default="-"), m.group(2) is None)
m = re.match(r"((a)(b))(c)", "abc")
print(m.groups(), m.group(1), m.lastindex, len(m.groups()))
m = re.search(r"(?P<n>\d+)?x", "x")
print(m.groupdict(), m.groupdict(default=0))
print(re.match(r"(a|b)+", "abba").group(1))
print(re.match(r"(?:ab)+", "ababx").group())
