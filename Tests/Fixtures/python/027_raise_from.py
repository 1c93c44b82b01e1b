# raise X from Y sets __cause__; from None suppresses context.
class ConfigError(Exception):
    pass

def load(d):
    try:
        return d["key"]
    except KeyError as e:
        raise ConfigError("missing key") from e

try:
    load({})
except ConfigError as e:
    print(e, "| cause:", type(e.__cause__).__name__, e.__cause__)
    print(e.__suppress_context__)

def quiet():
    try:
        1 / 0
    except ZeroDivisionError:
        raise ValueError("clean") from None

try:
    quiet()
except ValueError as e:
    print(e, e.__cause__, e.__suppress_context__)
    print(type(e.__context__).__name__)
