# Mixin classes adding behaviour through multiple inheritance.
class JsonMixin:
    def to_dict(self):
        return {k: v for k, v in sorted(vars(self).items())}

class GreetMixin:
    def greet(self):
        return "hi from " + self.name

class Person(JsonMixin, GreetMixin):
    def __init__(self, name, age):
        self.name = name
        self.age = age

p = Person("Ann", 30)
print(p.to_dict())
print(p.greet())
print(isinstance(p, JsonMixin), isinstance(p, GreetMixin))
print(issubclass(Person, (int, GreetMixin)))
