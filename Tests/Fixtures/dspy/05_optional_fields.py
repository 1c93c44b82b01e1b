import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)
from typing import Optional


class ExtractInfo(dspy.Signature):
    """Extract structured information about a book from text."""

    text: str = dspy.InputField()
    title: str = dspy.OutputField()
    year: Optional[int] = dspy.OutputField(desc="publication year, if mentioned")
    author: Optional[str] = dspy.OutputField()
    pages: int = dspy.OutputField()
    is_fiction: bool = dspy.OutputField()


extract = dspy.Predict(ExtractInfo)
info = extract(text="Dune, the 1965 novel by Frank Herbert, runs to 412 pages.")
print(info)
print(info.year is None, info.author is None)
if info.is_fiction:
    print("fiction:", info.title)
else:
    print("non-fiction:", info.title)
print(info.pages * 2)
