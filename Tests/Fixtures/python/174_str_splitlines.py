# splitlines with different line endings and keepends.
text = "line1\nline2\r\nline3\rline4\n\nlast"
print(text.splitlines())
print(text.splitlines(True))
print("".splitlines(), "one".splitlines(), "trail\n".splitlines())
print("a\n\nb\n".split("\n"), "a\n\nb\n".splitlines())
poem = """Roses are red,
Violets are blue.
"""
for i, line in enumerate(poem.splitlines(), 1):
    print(i, line)
