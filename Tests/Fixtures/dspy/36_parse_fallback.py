import os
import dspy

# This model answers without the [[ ## field ## ]] markers, so the ChatAdapter cannot parse
# its reply and DSPy retries the call with the JSONAdapter.
lm = dspy.LM("openai/fixture-plain", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

qa = dspy.Predict("question -> answer")
result = qa(question="What is the tallest mountain on Earth?")
print(result.answer)
print(len(lm.history))

typed = dspy.Predict("question -> answer: int, unit: str")
r = typed(question="How tall is Mount Everest in meters?")
print(r.answer, r.unit)
print(len(lm.history))
