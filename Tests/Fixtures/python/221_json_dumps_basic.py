# json.dumps of scalars, lists, dicts, nesting, and default separators.
import json
print(json.dumps(1), json.dumps(1.5), json.dumps("s"), json.dumps(None), json.dumps(True))
print(json.dumps([1, "two", None, False, 2.0]))
print(json.dumps({"b": 1, "a": [1, 2, {"c": None}]}))
print(json.dumps((1, 2)), json.dumps([]), json.dumps({}))
print(json.dumps({1: "int key", 2.5: "float key", True: "bool key", None: "none key"}))
print(json.dumps("quote\" backslash\\ newline\n tab\t"))
print(json.dumps(10 ** 20), json.dumps(1e20), json.dumps(0.1 + 0.2), json.dumps(-0.0))
print(json.dumps(float("inf")), json.dumps(float("nan")))
print(type(json.dumps([])).__name__)
