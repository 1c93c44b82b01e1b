# print with flush=True, end/sep combinations and printing to sys.stdout explicitly.
import sys
print("flushed", flush=True)
print("a", "b", sep="", end="", flush=True)
print("|")
print("explicit", file=sys.stdout)
for i in range(3):
    print(i, end=" " if i < 2 else "\n")
print(*["x", "y"], sep="\n")
print("", "leading space")
print("trailing", "")
