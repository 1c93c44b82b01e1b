# Single inheritance, overriding, and calling the parent implementation.
class Animal:
    def __init__(self, name):
        self.name = name
    def speak(self):
        return "..."
    def describe(self):
        return f"{self.name} says {self.speak()}"

class Cat(Animal):
    def speak(self):
        return "meow"

class Kitten(Cat):
    def speak(self):
        return super().speak() + " (tiny)"

for a in [Animal("thing"), Cat("Tom"), Kitten("Bit")]:
    print(a.describe())
print(isinstance(Kitten("x"), Animal), issubclass(Cat, Kitten))
print(Kitten.__bases__[0].__name__)
print([c.__name__ for c in Kitten.__mro__])
