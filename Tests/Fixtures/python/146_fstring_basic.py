# f-strings with expressions, conversions !r !s and quotes inside.
name = "Ada"
n = 3
print(f"Hello, {name}! You have {n} new {'message' if n == 1 else 'messages'}.")
print(f"{name!r} {name!s} {n!r}")
print(f"{n + 1} {n * 2.5} {[n, n]} {(n,)} {{literal braces}}")
print(f"{'single'} {'x' if False else 'y'}", f'{"double"}', f"""{'triple'}""")
d = {"key": "val"}
print(f"{d['key']} {d}")
print(f"{name.upper()}{name.lower()}{len(name)}")
print(f"{None} {True} {None!r}")
s = "quote's \"here\""
print(f"{s}")
print(f"{s!r}")
print(f"{'a' + 'b'!r:>6}")
