# str.format_map and format() builtin with specs.
print(format(3.14159, ".2f"), format(42, ">6"), format("s", "^5"), format(1234567, ","))
print(format(0.5, "%"), format(10, "b"), format(True), format(None))
print("{a}-{b}".format_map({"a": 1, "b": 2}))
print("{0:>{1}}".format("x", 4))
print("{:,.3f}".format(1234567.891))
print("{:^10}|{:^10}".format("mid", 12))
print(format(-1.5, "+.1f"), format(1.5, " .1f"), format(1e-3, ".1e"))
print("{!r:>8}".format("q"))
