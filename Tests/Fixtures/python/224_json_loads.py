# json.loads of objects, arrays, numbers, literals and whitespace.
import json
obj = json.loads('{"a": 1, "b": [true, false, null], "c": {"d": 1.5e3}, "e": "x"}')
print(obj)
print(type(obj["a"]).__name__, type(obj["c"]["d"]).__name__)
print(json.loads("[1, 2.0, -3, 1e2, 1E-2, 0.5]"))
print(json.loads("  42  "), json.loads('"str"'), json.loads("null"), json.loads("true"))
print(json.loads("12345678901234567890123"), json.loads("-0"), json.loads("-0.0"))
print(json.loads('{"dup": 1, "dup": 2}'))
print(json.loads("NaN"), json.loads("Infinity"))
print(json.loads('{"nested": {"deep": {"deeper": [[]]}}}'))
