# while/else and nested try inside loops for searching and validation.
def find_index(items, target):
    i = 0
    while i < len(items):
        if items[i] == target:
            break
        i += 1
    else:
        return -1
    return i
print(find_index([4, 5, 6], 6), find_index([4, 5, 6], 7), find_index([], 1))
inputs = ["10", "-3", "abc", "7"]
idx = 0
while idx < len(inputs):
    try:
        n = int(inputs[idx])
        if n < 0:
            raise ValueError("negative")
        print("accepted", n)
    except ValueError as e:
        print("rejected", inputs[idx], "-", e)
    idx += 1
