# Parameter and return annotations are accepted and do not change behaviour.
def add(x: int, y: int = 0) -> int:
    return x + y

print(add(2, 3))
print(add("a", "b"))
print(add.__annotations__)

def describe(name: str, *args: int, flag: bool = False, **kw: str) -> str:
    return f"{name} {args} {flag} {kw}"

print(describe("n", 1, 2, flag=True, extra="yes"))
print(sorted(describe.__annotations__))
count: int = 3
print(count)
