# import x, import x as y, from x import a, b.
import math
import json as j
from math import sqrt, floor
from os import path as p
import os.path

print(math.sqrt(16))
print(j.dumps([1, 2]))
print(sqrt(9), floor(2.7))
print(p.join("a", "b"))
print(os.path.basename("/x/y.txt"))
print(type(math).__name__)
print(math.__name__, j.__name__)
