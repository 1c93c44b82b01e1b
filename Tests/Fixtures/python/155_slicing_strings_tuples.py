# Slicing strings and tuples, including steps and reversal.
s = "Hello, World"
print(s[0], s[-1], s[7:], s[:5], s[::-1], s[::2], s[-5:-1])
print(s[100:], repr(s[5:3]), s[-100:3], s[1:-1:3])
t = (1, 2, 3, 4, 5)
print(t[1:3], t[::-1], t[-2:], t[:0], t[::2])
print(type(t[1:2]).__name__, type(s[1:2]).__name__)
word = "racecar"
print(word == word[::-1])
print("abcdef"[::-2], "abcdef"[4:0:-1], "abcdef"[-2::-2])
print(range(10)[2:8:2], list(range(10)[::-3]))
