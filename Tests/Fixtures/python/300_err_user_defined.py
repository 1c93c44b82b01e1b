# User exception hierarchies, catch order, extra attributes and exception chaining.
class AppError(Exception):
    code = 1
class NotFound(AppError):
    code = 404
    def __init__(self, what):
        super().__init__(f"{what} not found")
        self.what = what
class Forbidden(AppError):
    code = 403
def handle(exc):
    try:
        raise exc
    except NotFound as e:
        return f"NotFound({e.what}) {e.code} {e}"
    except AppError as e:
        return f"{type(e).__name__} {e.code} {e!s} {e.args}"
print(handle(NotFound("page")))
print(handle(Forbidden("admin only")))
print(handle(AppError()))
print([c.__name__ for c in NotFound.__mro__])
