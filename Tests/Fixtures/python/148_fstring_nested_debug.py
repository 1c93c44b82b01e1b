# f-string = debugging, nested format specs and expressions in specs.
x = 10
y = 2.5
name = "bob"
print(f"{x=}")
print(f"{x = }")
print(f"{name=}")
print(f"{x + y=}")
print(f"{y=:.3f}")
w = 8
p = 2
print(f"[{y:{w}}] [{y:{w}.{p}f}] [{name:>{w}}] [{name:{'^'}{w}}]")
for width in (3, 6):
    print(f"|{x:{width}d}|")
items = ["a", "bb", "ccc"]
longest = max(len(s) for s in items)
for s in items:
    print(f"{s:<{longest}}|")
