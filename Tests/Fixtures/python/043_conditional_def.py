# Functions defined conditionally and functions as values.
debug = False
if debug:
    def log(msg):
        print("DEBUG", msg)
else:
    def log(msg):
        print("log:", msg)
log("hello")
def apply(f, *args):
    return f(*args)
print(apply(max, 3, 9, 4))
print(apply(len, "four"))
handlers = {}
def register(name):
    def deco(fn):
        handlers[name] = fn
        return fn
    return deco
@register("double")
def double(x):
    return 2 * x
print(handlers["double"](21), double(1))
