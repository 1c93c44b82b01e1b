# Assignment targets of many kinds in one statement, evaluation order.
class O:
    pass
o = O()
d = {}
lst = [0, 0, 0]
o.a = d["k"] = lst[1] = "v"
print(o.a, d, lst)
i = 0
lst2 = [10, 20, 30]
i, lst2[i] = 1, 99
print(i, lst2)
a = b = c = []
a.append(1)
print(b, c)
x, y = y, x = 1, 2
print(x, y)
