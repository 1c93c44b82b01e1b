# Calling a function with an unexpected keyword argument.
def greet(name, greeting="hi"):
    return f"{greeting} {name}"

print(greet("ann", greeting="hello"))
print(greet("bob", salutation="yo"))
