# strip, lstrip, rstrip with default whitespace and with character sets.
s = "  \t hello world \n "
print(repr(s.strip()), repr(s.lstrip()), repr(s.rstrip()))
print("xxhixx".strip("x"), "xyhiyx".strip("xy"), "abcba".lstrip("ab"), "abcba".rstrip("ab"))
print(repr("...".strip(".")), "www.example.com".strip("cmowz."))
print("0042".lstrip("0"), "1.500".rstrip("0").rstrip("."), "  ".strip() == "")
print("prefix_name".removeprefix("prefix_"), "file.txt".removesuffix(".txt"))
print("name".removeprefix("x"), "[tag]".strip("[]"))
