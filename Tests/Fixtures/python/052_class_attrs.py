# Class attributes vs instance attributes, shadowing, and shared mutables.
class Dog:
    species = "canine"
    tricks = []
    count = 0
    def __init__(self, name):
        self.name = name
        Dog.count += 1
    def add_trick(self, t):
        self.tricks.append(t)

a = Dog("Rex")
b = Dog("Fido")
print(a.species, b.species, Dog.species)
a.species = "wolf"
print(a.species, b.species, Dog.species)
a.add_trick("sit")
print(b.tricks)
print(Dog.count)
Dog.species = "dog"
print(a.species, b.species)
del a.species
print(a.species)
