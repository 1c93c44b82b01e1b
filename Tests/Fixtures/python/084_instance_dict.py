# vars() and __dict__ of instances and updating attributes dynamically.
class Record:
    def __init__(self, **fields):
        for k, v in fields.items():
            setattr(self, k, v)

r = Record(a=1, b="two")
print(vars(r))
print(r.__dict__ == vars(r))
r.__dict__["c"] = 3.0
print(r.c)
r.a = 10
print(vars(r))
print(sorted(k for k in vars(r)))
