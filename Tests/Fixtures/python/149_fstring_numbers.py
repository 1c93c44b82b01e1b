# Formatting ints and floats with default and general formats.
for v in [0, 1, -1, 1234, 10**16]:
    print(f"{v} | {v!r} | {v:g} | {v:10.4f} | {v:e}")
for v in [1.0, 0.5, 1e16, 1e-7, 123.456, float("inf"), -0.0, 2.5e-5, 1e15]:
    print(f"{v} | {v!r} | {v:g} | {v:.3} | {v:10.4f}")
print(f"{True} {True:d} {False:>5}")
print(f"{10**20:,}")
print(f"{2/3:.10f} {1/7:.15g}")
print(f"{12:3d}|{123456:3d}|")
