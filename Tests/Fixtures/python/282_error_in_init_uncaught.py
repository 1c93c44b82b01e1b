# An exception raised in __init__ propagates out of the constructor call.
class Temperature:
    def __init__(self, kelvin):
        if kelvin < 0:
            raise ValueError(f"invalid temperature: {kelvin} K")
        self.kelvin = kelvin

print(Temperature(300).kelvin)
t = Temperature(-5)
print(t.kelvin)
