# pass in functions, classes, loops and branches.
def stub():
    pass

class Empty:
    pass

for _ in range(2):
    pass

if True:
    pass
else:
    pass

print(stub())
print(type(Empty()).__name__)
e = Empty()
e.field = 3
print(e.field)
while False:
    pass
print("done")
