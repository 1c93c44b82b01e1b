# Pretty printing deeply nested structures and mixed types with indent.
import json
doc = {
    "model": "demo",
    "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
    "params": {"temperature": 0.7, "max_tokens": 256, "stop": None, "stream": False},
}
print(json.dumps(doc, indent=2))
text = json.dumps(doc, indent=2)
print(len(text.splitlines()))
print(json.loads(text)["messages"][1]["content"])
