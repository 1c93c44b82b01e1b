# Comprehension variables do not leak; they see enclosing names.
x = "outer"
squares = [x * 2 for x in range(3)]
print(x, squares)
factor = 3
print([n * factor for n in range(3)])
def f():
    k = 10
    return [k + i for i in range(3)]
print(f())
class C:
    vals = [1, 2, 3]
    doubled = [v * 2 for v in vals]
print(C.doubled)
fs = [lambda: n for n in range(3)]
print([g() for g in fs])
