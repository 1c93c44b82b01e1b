# Imports inside functions are local names; importing twice is harmless.
def compute():
    import math
    from json import dumps
    return dumps({"v": math.floor(3.9)})

print(compute())
try:
    math
except NameError as e:
    print(e)
import math
import math
print(math.ceil(2.1))
from math import *
print(pi > 3, floor(-0.5))
try:
    from math import no_such_thing
except ImportError as e:
    print(type(e).__name__)
