# itertools: chain, islice, product, permutations, combinations, count, repeat, cycle, groupby...
import itertools
from itertools import accumulate, chain, groupby, islice, zip_longest

print(list(chain([1, 2], (3,), "ab")), list(chain.from_iterable([[1], [2, 3]])))
print(list(islice(itertools.count(10, 5), 4)), list(islice("abcdefg", 1, 6, 2)))
print(list(itertools.product("ab", [0, 1])), len(list(itertools.product(range(3), repeat=2))))
print(list(itertools.permutations([1, 2, 3], 2)))
print(list(itertools.combinations("abcd", 2)))
print(list(itertools.combinations_with_replacement([1, 2], 2)))
print(list(itertools.repeat("x", 3)), list(islice(itertools.cycle([1, 2]), 5)))
print(list(zip_longest([1, 2, 3], "ab", fillvalue="-")))
fruits = ["apple", "avocado", "banana", "cherry", "cranberry"]
for key, group in groupby(fruits, key=lambda w: w[0]):
    print(key, list(group))
print([k for k, _ in groupby("aaabccdd")])
print(list(accumulate([1, 2, 3, 4])), list(accumulate([3, 1, 4], max)))
print(list(accumulate([1, 2], initial=100)))
print(list(itertools.takewhile(lambda x: x < 3, [1, 2, 5, 1])))
print(list(itertools.dropwhile(lambda x: x < 3, [1, 2, 5, 1])))
print(list(itertools.starmap(pow, [(2, 3), (3, 2)])), list(itertools.pairwise("abcd")))
a, b = itertools.tee([1, 2, 3])
print(list(a), list(b), list(itertools.filterfalse(lambda x: x % 2, range(6))))
