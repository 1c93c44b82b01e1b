# str methods chained together in realistic text processing.
text = "  The Quick Brown Fox, the lazy DOG!  "
words = [w.strip(",!").lower() for w in text.split()]
print(words)
freq = {}
for w in words:
    freq[w] = freq.get(w, 0) + 1
print(sorted(freq.items(), key=lambda kv: (-kv[1], kv[0])))
slug = "-".join(text.strip().lower().replace(",", "").replace("!", "").split())
print(slug)
print(text.strip().title().swapcase())
print(" ".join(w[::-1] for w in words))
print(sum(1 for c in text if c.isupper()))
