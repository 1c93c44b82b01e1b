# hex, bin, oct, and int round-trips including negatives.
for n in [0, 1, 10, 255, -255, 2 ** 40, -1]:
    print(n, hex(n), bin(n), oct(n))
print(int(hex(4096), 16), int(bin(77), 2), int(oct(64), 8))
print(0x1F, 0o17, 0b101, 1_000_000, 0xdead_beef)
print(f"{255:x} {255:X} {255:#x} {255:o} {255:#o} {5:b} {5:#b} {5:08b}")
print(format(255, "x"), format(-255, "#x"))
