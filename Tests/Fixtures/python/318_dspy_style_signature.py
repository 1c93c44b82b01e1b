# Signature-like classes built from annotations and field descriptors.
class Field:
    def __init__(self, desc="", prefix=None):
        self.desc = desc
        self.prefix = prefix
class InputField(Field):
    pass
class OutputField(Field):
    pass
class QA:
    """Answer questions with short factoid answers."""
    question: str = InputField(desc="a question")
    context: list = InputField(desc="relevant facts")
    answer: str = OutputField(desc="often 1-5 words")
def describe(sig):
    lines = [sig.__doc__]
    for name, typ in sig.__annotations__.items():
        field = getattr(sig, name)
        kind = "input" if isinstance(field, InputField) else "output"
        lines.append(f"- {name} ({typ.__name__}, {kind}): {field.desc}")
    return "\n".join(lines)
print(describe(QA))
inputs = [n for n in QA.__annotations__ if isinstance(getattr(QA, n), InputField)]
print(inputs)
