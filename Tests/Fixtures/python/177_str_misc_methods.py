# expandtabs, count, str() of values, string escapes, iteration.
print("a\tb\tc".expandtabs(4), "x\ty".expandtabs())
print(str(123), str(1.5), str([1, "a"]), str(None), str(True), str((1,)))
print("multi" "part" "literal")
s = ("implicit "
     "concatenation")
print(s)
print("\N{GREEK SMALL LETTER ALPHA}", "\u00e9", "\x41", "\101")
print(r"raw\nstring", len(r"\n"), len("\n"))
for i, ch in enumerate("héy"):
    print(i, ch, ord(ch))
print("Mississippi".count("ss"), "abc".index("c"))
