# raise ... from ... uncaught: the final line is the outer exception.
class ParseError(Exception):
    pass

def parse(text):
    try:
        return int(text)
    except ValueError as e:
        raise ParseError(f"could not parse {text!r}") from e

print(parse("12"))
print(parse("1x"))
