# global statement inside functions.
counter = 0

def bump():
    global counter
    counter += 1

for _ in range(3):
    bump()
print(counter)

def make_new():
    global brand_new
    brand_new = "created"

make_new()
print(brand_new)

value = "module"
def shadow():
    value = "local"
    return value

print(shadow(), value)

def read_only():
    return value.upper()

print(read_only())
