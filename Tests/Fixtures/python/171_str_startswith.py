# startswith and endswith with strings, tuples and ranges.
url = "https://example.com/page.html"
print(url.startswith("https"), url.startswith("http:"), url.endswith(".html"))
print(url.startswith(("ftp", "https")), url.endswith((".htm", ".php")))
print(url.startswith("example", 8), url.endswith("example", 0, 19))
print("".startswith(""), "abc".startswith(""), "abc".endswith("abc"))
files = ["a.py", "b.txt", "c.PY", "d.json"]
print([f for f in files if f.lower().endswith((".py", ".json"))])
try:
    url.startswith(["https"])
except TypeError as e:
    print(e)
