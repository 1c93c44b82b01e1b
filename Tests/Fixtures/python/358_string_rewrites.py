# title, splitlines, stepped slices, indexing and isdigit-style tests on ASCII and non-ASCII text
samples = ["hello wORLD", "they're bill's", "ǅungla école", "ß straße", "x1y2 z", "", "a\r\nb\rc\nd\x0be\x0cf\x1cg\x85h\u2028i", "🙂ab🙂cd"]
for s in samples:
    print(repr(s.title()), s.istitle(), repr(s.title()) == repr(s.title().title()))
    print(s.splitlines(), s.splitlines(True))
    print(repr(s[::-1]), repr(s[::2]), repr(s[1::3]), repr(s[-2::-2]))
    print([s[i] for i in range(0, len(s), 3)], len(s))
    print(s.isdigit(), s.isalpha(), s.isalnum(), s.isspace(), s.isdecimal(), s.isnumeric(), s.isascii())
print("123".isdigit(), "١٢٣".isdigit(), "½".isnumeric(), "½".isdigit(), " \t\n\x1c".isspace(), "abc".isalpha())
import re
print(re.sub("b", "c", "ab" * 5), re.subn("(a)(b)", r"\2\1", "abab"))
big = "line\n" * 1000
print(len(big.splitlines()), big.title()[:10], big[::-7][:6])
