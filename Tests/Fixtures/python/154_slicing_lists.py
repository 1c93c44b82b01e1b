# Slicing lists with positive/negative indexes, steps, and out-of-range bounds.
a = list(range(10))
print(a[2:5], a[:3], a[7:], a[:], a[-3:], a[:-7])
print(a[::2], a[1::3], a[::-1], a[::-3], a[8:2:-2])
print(a[5:2], a[-1:-5], a[-1:-5:-1], a[100:], a[-100:2], a[3:100])
print(a[2:8:0] if False else "step 0 not tried")
print(a[len(a):], a[-len(a)], a[9:-11:-1])
b = a[:]
b[0] = 99
print(a[0], b[0])
try:
    a[::0]
except ValueError as e:
    print(e)
