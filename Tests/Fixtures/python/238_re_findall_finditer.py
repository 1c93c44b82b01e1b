# re.findall with and without groups, re.finditer.
import re
text = "Call 555-1234 or 555-9876; office 123-4567."
print(re.findall(r"\d{3}-\d{4}", text))
print(re.findall(r"(\d{3})-(\d{4})", text))
print(re.findall(r"(\d{3})-\d{4}", text))
print(re.findall(r"[aeiou]", "programming"))
for m in re.finditer(r"\b(\w)(\w*)\b", "hi there you"):
    print(m.group(1).upper() + m.group(2), m.span())
print(re.findall(r"\w+", "don't stop-now"), re.findall(r"x*", "axb"))
print([m.group() for m in re.finditer(r"\d+", "a1b22c333")])
