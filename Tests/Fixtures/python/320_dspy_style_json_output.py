# Extracting and validating JSON from an LLM-style reply wrapped in a code fence.
import json
import re
reply = 'Here you go:\n```json\n{"name": "Ada", "skills": ["math", "code"], "age": 36}\n```\n'
match = re.search(r"```(?:json)?\s*(\{.*?\})\s*```", reply, re.DOTALL)
data = json.loads(match.group(1))
print(data["name"], data["skills"], data["age"] + 1)
required = {"name": str, "skills": list, "age": int, "email": str}
for field, typ in required.items():
    if field not in data:
        print(f"missing: {field}")
    elif not isinstance(data[field], typ):
        print(f"wrong type: {field}")
    else:
        print(f"ok: {field}")
print(json.dumps(data, sort_keys=True, indent=2))
