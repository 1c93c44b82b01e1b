# Unicode strings: len, slicing, upper/lower, sorting by code point, membership.
words = ["zebra", "Äpfel", "apple", "éclair", "Zoo", "über"]
print(sorted(words))
print(sorted(words, key=str.lower))
s = "naïve café — 日本語"
print(len(s), s[:5], s[-3:], s.upper(), s.split(" — "))
print("é" in s, s.find("日"), s.count("é"), [c for c in "日本語"])
print("straße".upper(), "ÉTÉ".lower(), "éa" > "ea")
print("ÅÄÖ".lower(), "ß".casefold())
