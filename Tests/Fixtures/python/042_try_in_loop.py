# try/except inside loops with continue, break and accumulated results.
values = ["1", "x", "3", "", "5"]
total = 0
bad = []
for v in values:
    try:
        total += int(v)
    except ValueError:
        bad.append(v)
        continue
    finally:
        print("checked", repr(v))
print(total, bad)
attempts = 0
while True:
    attempts += 1
    try:
        if attempts < 3:
            raise ConnectionError("retry")
        print("succeeded after", attempts)
        break
    except ConnectionError as e:
        print("attempt", attempts, "failed:", e)
