# Converting a non-numeric string with int() is an uncaught ValueError.
raw = ["1", "2", "three"]
nums = []
for r in raw:
    print("parsing", r)
    nums.append(int(r))
print(nums)
