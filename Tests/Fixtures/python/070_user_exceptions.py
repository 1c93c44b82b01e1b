# User exception classes with custom __init__ and __str__.
class AppError(Exception):
    pass

class HttpError(AppError):
    def __init__(self, status, reason):
        super().__init__(status, reason)
        self.status = status
        self.reason = reason
    def __str__(self):
        return f"HTTP {self.status}: {self.reason}"

try:
    raise HttpError(404, "Not Found")
except AppError as e:
    print(type(e).__name__, e)
    print(e.args, e.status)
    print(repr(e))
class Plain(AppError):
    pass
try:
    raise Plain("simple message")
except Exception as e:
    print(type(e).__name__, e, repr(e))
print(issubclass(HttpError, Exception), isinstance(HttpError(1, "x"), AppError))
