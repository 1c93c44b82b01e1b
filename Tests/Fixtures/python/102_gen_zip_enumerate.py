# Generators combined with zip, enumerate, map and filter.
def letters():
    yield from "abcde"
def numbers():
    n = 0
    while True:
        yield n
        n += 1
print(list(zip(letters(), numbers())))
print(list(enumerate(letters(), start=1)))
print(list(map(str.upper, letters())))
print(list(filter(lambda c: c in "aeiou", letters())))
print(dict(zip(letters(), numbers())))
print(sorted(letters(), reverse=True))
