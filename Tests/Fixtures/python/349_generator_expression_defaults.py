# min/max/sum/next over generator expressions with defaults and filters.
words = ["kiwi", "fig", "banana", "apple"]
print(min((w for w in words if len(w) > 10), default="none"))
print(max((len(w) for w in words), default=0), sum(len(w) for w in words if "a" in w))
print(next((w for w in words if w.startswith("b")), None))
print(next((w for w in words if w.startswith("z")), "no match"))
print(sorted((w for w in words), key=len)[:2], any(w == "fig" for w in words))
print(dict((w, i) for i, w in enumerate(words) if i % 2 == 0))
