# LEGB name resolution: local, enclosing, global, builtin; shadowing builtins.
x = "global"
def outer():
    x = "enclosing"
    def inner():
        return x
    return inner()
print(outer())
def local_only():
    x = "local"
    return x
print(local_only(), x)
def uses_builtin():
    return len("abc")
print(uses_builtin())
def shadow_len():
    len = lambda s: -1
    return len("abc")
print(shadow_len(), len("abc"))
y = 1
def comprehension_scope():
    return [y for y in range(3)]
print(comprehension_scope(), y)
