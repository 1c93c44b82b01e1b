import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

qa = dspy.Predict("question -> answer")
qa(question="What is the capital of Spain?")
qa(question="What is the capital of Portugal?")

print(len(lm.history))
last = lm.history[-1]
print(last["model"])
print(last["outputs"])
print(last["usage"]["total_tokens"])
print(last["messages"][-1]["content"].splitlines()[1])
print(len(qa.history))
