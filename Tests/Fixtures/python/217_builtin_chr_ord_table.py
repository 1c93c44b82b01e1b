# Building tables with chr/ord, ascii letters and Caesar shift.
print("".join(chr(c) for c in range(ord("a"), ord("z") + 1)))
print([chr(65 + i) for i in range(5)])
def caesar(s, k):
    out = []
    for ch in s:
        if ch.isalpha() and ch.isascii():
            base = ord("A") if ch.isupper() else ord("a")
            out.append(chr((ord(ch) - base + k) % 26 + base))
        else:
            out.append(ch)
    return "".join(out)
print(caesar("Hello, World!", 3), caesar(caesar("Round Trip", 7), -7))
print(sum(ord(c) for c in "abc"), max("Zebra", key=ord))
