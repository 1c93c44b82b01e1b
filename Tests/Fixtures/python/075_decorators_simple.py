# Function decorators without arguments, stacking order.
def loud(fn):
    def wrapper(*args, **kwargs):
        print("calling", fn.__name__)
        result = fn(*args, **kwargs)
        print("returned", result)
        return result
    return wrapper

def double_result(fn):
    def wrapper(*a):
        return 2 * fn(*a)
    return wrapper

@loud
def add(a, b):
    return a + b

@loud
@double_result
def three():
    return 3

print(add(1, 2))
print(three())
print(add.__name__)
