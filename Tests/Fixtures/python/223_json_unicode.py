# ensure_ascii default (escapes) and ensure_ascii=False.
import json
data = {"city": "Zürich", "greet": "こんにちは", "emoji": "😀", "euro": "€5"}
print(json.dumps(data))
print(json.dumps(data, ensure_ascii=False))
print(json.dumps("\u0001\u001f\u007f"))
print(json.dumps("line\u2028sep"), json.dumps("é", ensure_ascii=False))
print(json.loads('"\\u00e9\\u20ac\\ud83d\\ude00"'))
print(json.loads('"\\n\\t\\"\\\\\\/"'))
