import os
import dspy

# The LM carries its own sampling settings.
lm = dspy.LM(
    "openai/fixture",
    api_base=os.environ["DSPY_FIXTURE_API_BASE"],
    api_key="fixture-key",
    temperature=0.3,
    max_tokens=200,
    cache=False,
)
dspy.configure(lm=lm, adapter=dspy.ChatAdapter())
print(lm.model, lm.model_type)
print(lm.kwargs["temperature"], lm.kwargs["max_tokens"])

qa = dspy.Predict("question -> answer")
print(qa(question="What is the opposite of hot?").answer)
# cache=False: the same question is sent again.
print(qa(question="What is the opposite of hot?").answer)

warmer = lm.copy(temperature=0.8, model="openai/fixture-warm")
print(warmer.model, warmer.kwargs["temperature"], lm.kwargs["temperature"])
with dspy.context(lm=warmer):
    print(qa(question="What is the opposite of cold?").answer)
