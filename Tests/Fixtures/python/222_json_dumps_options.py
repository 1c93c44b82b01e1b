# json.dumps with indent, sort_keys and separators.
import json
data = {"name": "Widget", "tags": ["a", "b"], "dims": {"w": 2, "h": 3}, "empty": [], "e2": {}}
print(json.dumps(data, indent=2))
print(json.dumps(data, sort_keys=True))
print(json.dumps(data, separators=(",", ":")))
print(json.dumps(data, indent=4, sort_keys=True, separators=(",", ": ")))
print(json.dumps([1, [2, [3]]], indent=1))
print(json.dumps({"a": 1}, indent="\t"))
print(json.dumps([1, 2], indent=0))
