# dataclasses: defaults, field(default_factory=...), asdict, repr, eq, frozen, order, post-init.
from dataclasses import asdict, astuple, dataclass, field, fields, replace
from typing import List, Optional

@dataclass
class Example:
    question: str
    answer: Optional[str] = None
    tags: List[str] = field(default_factory=list)

e = Example("2+2?")
e.tags.append("math")
print(e, e == Example("2+2?", None, ["math"]), Example("q").tags)
print(asdict(e), astuple(e), [f.name for f in fields(Example)])
print(replace(e, answer="4"))
try:
    Example()
except TypeError as err:
    print(err)

@dataclass(frozen=True, order=True)
class Score:
    value: float
    label: str = "n/a"

scores = sorted([Score(0.9, "b"), Score(0.5), Score(0.9, "a")])
print(scores, Score(1.0) < Score(2.0))
try:
    scores[0].value = 3
except AttributeError as err:
    print(type(err).__name__, err)

@dataclass
class Batch:
    items: list
    size: int = field(init=False)
    def __post_init__(self):
        self.size = len(self.items)

print(Batch([1, 2, 3]), asdict(Batch([Example("x")])))
