# Recursive functions: factorial, fibonacci, mutual recursion, tree walk.
def fact(n):
    return 1 if n <= 1 else n * fact(n - 1)

def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

print(fact(10), fact(25))
print([fib(i) for i in range(15)])

def is_even(n):
    return True if n == 0 else is_odd(n - 1)

def is_odd(n):
    return False if n == 0 else is_even(n - 1)

print(is_even(10), is_odd(7))

def depth(tree):
    if not isinstance(tree, list):
        return 0
    return 1 + max((depth(t) for t in tree), default=0)

print(depth([1, [2, [3, [4]], 5]]))

def flatten(x):
    return [z for y in x for z in flatten(y)] if isinstance(x, list) else [x]

print(flatten([1, [2, [3, [4]], 5]]))
