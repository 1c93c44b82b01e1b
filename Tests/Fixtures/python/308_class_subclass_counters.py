# Class attributes looked up through subclasses, and cls in classmethods.
class Model:
    registry = []
    instances = 0
    def __init__(self):
        type(self).instances += 1
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        Model.registry.append(cls.__name__)
    @classmethod
    def create(cls):
        return cls()

class Linear(Model):
    pass
class Tree(Model):
    instances = 100
Linear.create()
Linear.create()
Tree.create()
Model()
print(Model.registry)
print(Model.instances, Linear.instances, Tree.instances)
