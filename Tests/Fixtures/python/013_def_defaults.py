# Default parameter values, including the shared mutable default.
def greet(name, greeting="Hello", punct="!"):
    return greeting + ", " + name + punct

print(greet("Ann"))
print(greet("Bob", "Hi"))
print(greet("Cy", punct="?"))
print(greet(greeting="Yo", name="Di"))

def append_to(x, acc=[]):
    acc.append(x)
    return acc

print(append_to(1))
print(append_to(2))

def safe_append(x, acc=None):
    if acc is None:
        acc = []
    acc.append(x)
    return acc

print(safe_append(1), safe_append(2))
default = 5
def uses_default(v=default):
    return v
default = 6
print(uses_default())
