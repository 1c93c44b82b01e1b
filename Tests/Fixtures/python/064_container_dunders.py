# __len__, __getitem__, __contains__, __iter__ on a user container.
class Deck:
    def __init__(self, cards):
        self.cards = list(cards)
    def __len__(self):
        return len(self.cards)
    def __getitem__(self, i):
        return self.cards[i]
    def __contains__(self, c):
        print("contains called")
        return c in self.cards

d = Deck("AKQJ")
print(len(d), d[0], d[-1], d[1:3])
print("Q" in d, "2" in d)
print([c for c in d])
print(list(reversed(d)))
try:
    d[10]
except IndexError as e:
    print(e)
print(bool(Deck([])), bool(d))
