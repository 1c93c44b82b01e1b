# Common list errors: index, pop, remove, index-of-missing.
a = [1, 2, 3]
def attempt(thunk):
    try:
        thunk()
    except (IndexError, ValueError, TypeError) as e:
        print(type(e).__name__, e)
attempt(lambda: a[3])
attempt(lambda: a[-4])
attempt(lambda: [].pop())
attempt(lambda: a.pop(10))
attempt(lambda: a.remove(9))
attempt(lambda: a.index(9))
attempt(lambda: a["0"])
attempt(lambda: a + (4,))
def assign():
    a[5] = 1
attempt(assign)
