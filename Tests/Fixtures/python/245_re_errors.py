# re.error on bad patterns, group errors on match objects, None results.
import re
for bad in ["(", "[a-", "*a", "a{2,1}"]:
    try:
        re.compile(bad)
    except re.error as e:
        print(repr(bad), "->", e)
m = re.match(r"(a)", "a")
try:
    m.group(2)
except IndexError as e:
    print(e)
try:
    m.group("name")
except IndexError as e:
    print(e)
result = re.match(r"z", "abc")
print(result)
try:
    result.group()
except AttributeError as e:
    print(e)
