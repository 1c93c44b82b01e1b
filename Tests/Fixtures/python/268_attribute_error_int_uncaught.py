# Accessing a missing attribute on an int.
n = 42
print(n.bit_length())
print(n.real, n.imag)
print(n.foo)
