# Chained comparisons, comparisons across types, and identity tests.
x = 5
print(1 < x < 10, 1 < x > 4, 1 < x < 3, 10 > x >= 5)
print(1 == 1 == 1.0, 1 < 2 < 3 < 4 < 2)
print("a" < "b", "abc" < "abd", "Z" < "a", "" < "a", "ab" < "a")
print([1, 2] < [1, 3], [1, 2] < [1, 2, 0], (1, "a") < (1, "b"))
num = 1.5
print(None is None, [] is [], num is not None)
a = [1]
b = a
print(a is b, a == [1], a is not [1])
print(3 != 3.0, 2 <= 2.0, -1 < False)
def noisy(v):
    print("eval", v)
    return v
print(noisy(1) < noisy(0) < noisy(5))
try:
    1 < "a"
except TypeError as e:
    print(e)
try:
    [1] < (1,)
except TypeError as e:
    print(e)
