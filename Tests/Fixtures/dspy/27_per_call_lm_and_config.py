import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

other = dspy.LM("openai/fixture-2", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
qa = dspy.Predict("question -> answer")

# An LM for one call only.
print(qa(question="What is the smallest prime?", lm=other).answer)
# Sampling settings for one call only.
print(qa(question="What is the smallest prime?", config={"temperature": 0.9, "max_tokens": 64}).answer)
# Settings fixed when the module is built.
creative = dspy.Predict("question -> answer", temperature=1.0, max_tokens=128)
print(creative(question="Invent a name for a cat.").answer)
print(creative.config)
# Neither call changed the configured LM.
print(dspy.settings.lm.model)
