# bool() results and truthiness inside builtins like filter and sorted keys.
print([bool(x) for x in [0, 1, -1, 0.0, 0.1, "", "0", [], [[]], {}, None]])
print(sorted([3, 0, 2, 0, 1], key=bool), sorted(["", "a", ""], key=bool, reverse=True))
print(list(filter(bool, ["", "x", 0, 5])))
print(int(bool("no")), str(bool(0)), bool("False"))
class Z:
    def __len__(self):
        return 3
print(bool(Z()), len(Z()))
