# Parsing field-labelled completions with str methods and re.
import re
completion = """Reasoning: The user asks for the sum. 2 + 3 = 5.
Answer: 5
Confidence: 0.92"""
fields = {}
for line in completion.splitlines():
    key, sep, value = line.partition(":")
    if sep:
        fields[key.strip().lower()] = value.strip()
print(fields)
print(int(fields["answer"]) * 2, float(fields["confidence"]) > 0.9)
m = re.search(r"^Answer:\s*(.+)$", completion, re.MULTILINE)
print(m.group(1))
labels = re.findall(r"^(\w+):", completion, re.M)
print(labels)
missing = [f for f in ["reasoning", "answer", "sources"] if f not in fields]
print("missing fields:", missing)
