# AttributeError messages for builtins, None, modules and user classes.
import math
class Robot:
    name = "r2"
    def __init__(self):
        self.battery = 100
cases = [
    lambda: (1).foo,
    lambda: "s".foo(),
    lambda: None.strip(),
    lambda: [].add(1),
    lambda: {}.append(1),
    lambda: math.nope,
    lambda: Robot().legs,
    lambda: Robot.battery,
    lambda: Robot.fly(),
    lambda: (1.5).x,
    lambda: True.y,
]
for c in cases:
    try:
        c()
    except AttributeError as e:
        print(e)
