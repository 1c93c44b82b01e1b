# while loops with break, continue and else.
n = 0
while n < 5:
    n += 1
    if n == 2:
        continue
    print("n", n)
else:
    print("while else, n =", n)
i = 10
while True:
    i -= 3
    if i < 0:
        print("break at", i)
        break
while i > 100:
    print("never")
else:
    print("else when condition false at start")
count = 0
while count < 3:
    count += 1
    if count == 2:
        break
else:
    print("not printed")
print("count", count)
