# __getitem__/__setitem__/__delitem__ with string keys and missing-key handling.
class Registry:
    def __init__(self):
        self._data = {}
    def __setitem__(self, k, v):
        print("set", k)
        self._data[k] = v
    def __getitem__(self, k):
        if k not in self._data:
            raise KeyError(k)
        return self._data[k]
    def __delitem__(self, k):
        del self._data[k]
    def __len__(self):
        return len(self._data)

r = Registry()
r["a"] = 1
r["b"] = 2
r["a"] += 10
print(r["a"], len(r))
del r["b"]
print(len(r))
try:
    r["zzz"]
except KeyError as e:
    print("KeyError", e)
