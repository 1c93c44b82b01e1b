# json.JSONDecodeError messages, positions and attributes.
import json
bad_inputs = ['{"a": 1,}', "[1, 2", "", "{'a': 1}", "tru", '{"a" 1}', "[1] x", '"unterminated']
for text in bad_inputs:
    try:
        json.loads(text)
    except json.JSONDecodeError as e:
        print(repr(text), "->", e)
try:
    json.loads("{")
except ValueError as e:
    print(type(e).__name__, e.msg, e.pos, e.lineno, e.colno)
print(issubclass(json.JSONDecodeError, ValueError))
