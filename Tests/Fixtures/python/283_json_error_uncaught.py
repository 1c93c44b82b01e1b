# json.loads of invalid JSON ends the program with json.decoder.JSONDecodeError.
import json
print(json.loads('{"ok": true}'))
print(json.dumps([1, 2]))
json.loads('{"broken": }')
