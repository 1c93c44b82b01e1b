import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

# Types in a string signature: inputs and outputs are parsed into Python values.
solve = dspy.Predict("question: str, max_steps: int -> answer: float, steps: list[str], exact: bool")
result = solve(question="What is 3.5 times 2?", max_steps=3)
print(result)
print(type(result.answer).__name__, type(result.steps).__name__, type(result.exact).__name__)
for i, step in enumerate(result.steps, start=1):
    print(f"step {i}: {step}")

count = dspy.Predict("text -> word_count: int, words: list[str]")
r = count(text="The quick brown fox jumps over the lazy dog")
print(r.word_count + 1)
print(", ".join(r.words))
