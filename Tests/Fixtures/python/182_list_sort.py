# sort and sorted with key, reverse, and stability.
nums = [5, 2, 9, 1, 5, 6]
nums.sort()
print(nums)
nums.sort(reverse=True)
print(nums)
words = ["banana", "Apple", "cherry", "apple", "Banana", "date"]
print(sorted(words))
print(sorted(words, key=str.lower))
print(sorted(words, key=len))
print(sorted(words, key=len, reverse=True))
people = [("bob", 25), ("amy", 30), ("cat", 25), ("dan", 30)]
print(sorted(people, key=lambda p: p[1]))
print(sorted(people, key=lambda p: (-p[1], p[0])))
print(sorted([3, 1, 2], reverse=True), sorted("cba"), sorted((2, 1)))
print([1, 2].sort())
try:
    [1, "a"].sort()
except TypeError as e:
    print(e)
