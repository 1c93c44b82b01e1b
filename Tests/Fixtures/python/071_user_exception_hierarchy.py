# Catching user exceptions by base class, with extra fields and default messages.
class ValidationError(Exception):
    def __init__(self, field, message="invalid value"):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")

class MissingField(ValidationError):
    def __init__(self, field):
        super().__init__(field, "is required")

def validate(record):
    if "name" not in record:
        raise MissingField("name")
    if not isinstance(record["name"], str):
        raise ValidationError("name")
    return "ok"

for rec in [{}, {"name": 5}, {"name": "x"}]:
    try:
        print(validate(rec))
    except ValidationError as e:
        print(type(e).__name__, "|", e, "|", e.field, "|", e.message)
