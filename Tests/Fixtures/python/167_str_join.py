# str.join with lists, generators, and errors for non-strings.
print(", ".join(["a", "b", "c"]))
print("".join(reversed("stressed")))
print("-".join("abc"), "|".join([]), "+".join(["only"]))
print("\n".join(f"line {i}" for i in range(3)))
print(" ".join(str(n) for n in [1, 2.5, None]))
print(", ".join(sorted({"pear", "apple", "fig"})))
d = {"x": 1, "y": 2}
print("&".join(f"{k}={v}" for k, v in d.items()))
try:
    ", ".join([1, 2])
except TypeError as e:
    print(e)
