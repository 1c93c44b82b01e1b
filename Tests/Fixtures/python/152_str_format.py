# str.format: positional, indexed, keyword, attribute and item access, specs.
print("{} + {} = {}".format(1, 2, 3))
print("{0} {1} {0}".format("a", "b"))
print("{name} is {age}".format(name="Bo", age=7))
print("{0[0]} {0[1]} {d[key]}".format(["x", "y"], d={"key": "v"}))
class P:
    x = 5
    y = [1, 2]
print("{p.x} {p.y[1]}".format(p=P()))
print("{:>8}|{:<8}|{:^8}|".format("r", "l", "c"))
print("{:.3f} {:,} {:08.2f} {:+d} {:x}".format(3.14159, 9876543, -3.5, 7, 255))
print("{0!r} {0!s}".format("q"))
print("{{}} {}".format("braces"))
print("{:{w}.{p}f}".format(2.71828, w=10, p=3))
row = "{:<6}{:>6}"
print(row.format("item", "qty"))
print(row.format("apple", 3))
