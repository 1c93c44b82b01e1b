# A user exception with __str__ and extra fields, uncaught.
class HttpError(Exception):
    def __init__(self, status, url):
        super().__init__(status, url)
        self.status = status
        self.url = url

    def __str__(self):
        return f"{self.status} for {self.url}"

print("fetching")
raise HttpError(503, "/api/items")
