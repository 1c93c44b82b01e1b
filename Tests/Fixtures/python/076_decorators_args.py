# Decorators with arguments, decorators that count calls, class-based decorators.
def repeat(times):
    def deco(fn):
        def wrapper(*a, **k):
            return [fn(*a, **k) for _ in range(times)]
        return wrapper
    return deco

@repeat(3)
def hello(name):
    return "hi " + name

print(hello("x"))

class CountCalls:
    def __init__(self, fn):
        self.fn = fn
        self.calls = 0
    def __call__(self, *a):
        self.calls += 1
        return self.fn(*a)

@CountCalls
def square(n):
    return n * n

print(square(3), square(4), square.calls)

def tag(label):
    return lambda fn: (lambda *a: f"<{label}>{fn(*a)}</{label}>")

@tag("b")
@tag("i")
def text(s):
    return s
print(text("hey"))
