# Leaving a with block by return, break, and continue still calls __exit__.
class Log:
    def __init__(self, tag):
        self.tag = tag
    def __enter__(self):
        print("enter", self.tag)
        return self
    def __exit__(self, *exc):
        print("exit", self.tag)

def f():
    with Log("f"):
        return "returned"

print(f())
for i in range(3):
    with Log(i):
        if i == 0:
            continue
        if i == 1:
            break
print("after loop")
