import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

qa = dspy.Predict("question -> answer")

try:
    qa(question="!fail: nobody can parse the answer to this")
except Exception as error:
    print("failed:", type(error).__name__)

# A missing input field is not an error: DSPy warns and sends the request without it.
odd = qa(query="the wrong field name")
print(odd.answer)

print(qa(question="Still working after the errors?").answer)
