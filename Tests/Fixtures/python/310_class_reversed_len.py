# A sequence class with __len__ and __getitem__ works with reversed, in, list, enumerate.
class Word:
    def __init__(self, text):
        self.text = text
    def __len__(self):
        return len(self.text)
    def __getitem__(self, i):
        return self.text[i]
    def __repr__(self):
        return f"Word({self.text!r})"

w = Word("python")
print(len(w), w[0], w[-1], w[1:3])
print(list(w), list(reversed(w)), "t" in w, "z" in w)
print(list(enumerate(w))[:2], sorted(w), "".join(w))
print(max(w), [c.upper() for c in w][:3])
