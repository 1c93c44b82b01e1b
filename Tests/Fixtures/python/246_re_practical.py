# Practical regex parsing: key/value lines, emails and numbers.
import re
log = """2024-01-05 ERROR disk full
2024-01-06 INFO started
2024-01-07 ERROR network down"""
errors = re.findall(r"^(\S+) ERROR (.+)$", log, re.M)
print(errors)
counts = {}
for level in re.findall(r"^\S+ (\w+)", log, re.M):
    counts[level] = counts.get(level, 0) + 1
print(counts)
nums = [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", "x=-1.5, y=2, z=30.25")]
print(nums, sum(nums))
answer = re.search(r"Answer:\s*(.*)", "Reasoning: ...\nAnswer: 42 apples")
print(answer.group(1))
print(re.sub(r"[^a-z0-9]+", "-", "Hello, World! 2024".lower()).strip("-"))
