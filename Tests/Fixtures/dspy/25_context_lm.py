import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

large = dspy.LM("openai/fixture-large", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
qa = dspy.Predict("question -> answer")

print(qa(question="What is the speed of light?").answer)
with dspy.context(lm=large):
    print(qa(question="What is the speed of light?").answer)
    print(dspy.settings.lm.model)
print(dspy.settings.lm.model)
print(qa(question="What is the speed of sound?").answer)
