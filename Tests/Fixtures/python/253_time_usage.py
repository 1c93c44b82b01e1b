# time.time() differences are non-negative; values themselves are never printed.
import time
start = time.time()
total = 0
for i in range(10000):
    total += i
elapsed = time.time() - start
print(total, elapsed >= 0, type(elapsed).__name__)
t0 = time.time()
time.sleep(0.001)
print(time.time() - t0 >= 0)
print(time.time() > 1_600_000_000)
m0 = time.monotonic()
print(time.monotonic() - m0 >= 0)
