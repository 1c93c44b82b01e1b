# Round-tripping Python data through json; tuples become lists, int keys become strings.
import json
data = {"ints": [1, 2], "tuple": (3, 4), "float": 2.5, "none": None, 1: "one"}
s = json.dumps(data)
back = json.loads(s)
print(s)
print(back)
print(back == data, back["tuple"], back["1"])
records = [{"id": i, "name": f"item{i}", "ok": i % 2 == 0} for i in range(3)]
print(json.loads(json.dumps(records)) == records)
print(json.dumps(json.loads('{"z": 1, "a": 2}')))
