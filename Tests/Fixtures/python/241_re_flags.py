# re flags: IGNORECASE, MULTILINE, DOTALL, VERBOSE; anchors.
import re
print(re.findall(r"hello", "Hello HELLO hello", re.IGNORECASE))
text = "first line\nsecond line\nthird"
print(re.findall(r"^\w+", text), re.findall(r"^\w+", text, re.MULTILINE))
print(re.findall(r"\w+$", text, re.M))
print(re.search(r"line.second", text), re.search(r"line.second", text, re.DOTALL).group())
print(re.findall(r"(?i)abc", "ABC abc AbC"))
pat = re.compile(r"""
    (\d{4})   # year
    -(\d{2})  # month
""", re.VERBOSE)
print(pat.search("date: 2024-05-17").groups())
print(re.search(r"A.B", "a\nb", re.I | re.S).group() == "a\nb")
