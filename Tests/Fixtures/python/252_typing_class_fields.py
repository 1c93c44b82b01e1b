# Class fields annotated with typing constructs, read back via __annotations__.
from typing import List, Optional

class Example:
    question: str
    answer: Optional[str] = None
    hints: List[str] = []
    score: float = 0.0

ann = Example.__annotations__
for name in ann:
    print(name, getattr(Example, name, "<no default>"))
e = Example()
e.question = "2+2?"
print(e.question, e.answer, e.score)
print(len(ann), "answer" in ann)
