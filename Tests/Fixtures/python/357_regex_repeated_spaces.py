import re
# A space or tab is an ordinary character outside verbose mode, so it can be repeated.
print(re.findall("( *)x", "  x"))
print(re.findall("(\t+)y", "\t\ty"))
print(re.sub("[ ]+| +", " ", "a   b  c"))
print(re.compile("a # not a comment", re.VERBOSE).match("a") is not None)
print(re.match("a # literal", "a # literal") is not None)
