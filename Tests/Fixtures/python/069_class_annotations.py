# Class-level annotations with and without defaults (dataclass-free).
from typing import List, Optional

class Config:
    name: str
    retries: int = 3
    tags: List[str] = []
    parent: Optional["Config"] = None

print(Config.retries, Config.tags, Config.parent)
print(list(Config.__annotations__))
print(hasattr(Config, "name"), hasattr(Config, "retries"))
c = Config()
c.name = "svc"
print(c.name, c.retries)
try:
    Config().name
except AttributeError as e:
    print(e)
