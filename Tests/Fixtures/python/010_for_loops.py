# for loops over lists, strings, ranges, dicts, with break/continue/else.
for ch in "hi!":
    print(ch)
for i in range(10):
    if i % 2 == 0:
        continue
    if i > 7:
        break
    print("odd", i)
for i in range(3):
    pass
else:
    print("loop finished, i =", i)
for i in range(3):
    if i == 1:
        print("breaking")
        break
else:
    print("never printed")
for k in {"b": 1, "a": 2}:
    print(k)
for x in []:
    print("never")
else:
    print("empty else")
