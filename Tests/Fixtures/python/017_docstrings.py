# Function and class docstrings via __doc__.
def documented():
    """Return forty-two."""
    return 42

def undocumented():
    return 0

def multi():
    """First line.

    More detail here.
    """

print(documented.__doc__)
print(undocumented.__doc__)
print(repr(multi.__doc__.splitlines()[0]))
print(documented.__name__)

class Thing:
    """A thing."""
    def method(self):
        """Do it."""

print(Thing.__doc__)
print(Thing.method.__doc__)
print(Thing().method.__doc__)
