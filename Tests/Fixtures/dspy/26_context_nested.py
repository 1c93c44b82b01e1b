import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

small = dspy.LM("openai/fixture-small", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
large = dspy.LM("openai/fixture-large", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
qa = dspy.Predict("question -> answer")

with dspy.context(lm=small):
    print("outer:", dspy.settings.lm.model, qa(question="Name a river in Egypt.").answer)
    with dspy.context(lm=large, track_usage=True):
        print("inner:", dspy.settings.lm.model, dspy.settings.track_usage)
        print(qa(question="Name a river in Brazil.").answer)
    print("outer again:", dspy.settings.lm.model, dspy.settings.track_usage)

# A scope is restored even when its block raises.
try:
    with dspy.context(lm=large):
        raise ValueError("boom")
except ValueError as error:
    print("caught", error)
print("after:", dspy.settings.lm.model)
