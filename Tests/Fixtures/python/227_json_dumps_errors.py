# json.dumps TypeError for unserializable values and default= hook.
import json
class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y
try:
    json.dumps({1, 2})
except TypeError as e:
    print(e)
try:
    json.dumps({"p": Point(1, 2)})
except TypeError as e:
    print(e)
print(json.dumps(Point(1, 2), default=lambda o: {"x": o.x, "y": o.y}))
print(json.dumps({"s": {3, 1, 2}}, default=sorted))
try:
    json.dumps({(1, 2): "tuple key"})
except TypeError as e:
    print(e)
