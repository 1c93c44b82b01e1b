import os
import dspy
from typing import Literal

lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm, adapter=dspy.JSONAdapter())


class Ticket(dspy.Signature):
    """Triage a support ticket."""

    ticket: str = dspy.InputField()
    category: Literal["billing", "bug", "feature"] = dspy.OutputField()
    priority: int = dspy.OutputField(desc="1 (low) to 5 (high)")
    tags: list[str] = dspy.OutputField()


triage = dspy.Predict(Ticket)
t = triage(ticket="The invoice page crashes when I download a PDF.")
print(t)
print(t.category, t.priority, t.tags)

cot = dspy.ChainOfThought("question -> answer")
print(cot(question="What does JSON stand for?").answer)
