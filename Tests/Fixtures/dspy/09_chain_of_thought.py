import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

cot = dspy.ChainOfThought("question -> answer")
response = cot(question="Why is the sky blue?")
print("Reasoning:", response.reasoning)
print("Answer:", response.answer)
print(response)

# ChainOfThought works with class signatures too; reasoning comes first.


class Explain(dspy.Signature):
    """Explain a concept to a ten-year-old."""

    concept: str = dspy.InputField()
    explanation: str = dspy.OutputField(desc="two or three sentences")


explain = dspy.ChainOfThought(Explain)
e = explain(concept="photosynthesis")
print(list(e.keys()))
print(e.explanation)
