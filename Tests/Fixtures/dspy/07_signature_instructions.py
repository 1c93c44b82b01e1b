import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

document = "DSPy is a framework for programming language models instead of prompting them."
sig = dspy.Signature("document -> summary", "Summarize the document in one sentence.")
print(sig.instructions)
summarize = dspy.Predict(sig)
print(summarize(document=document).summary)

terse = sig.with_instructions("Summarize the document in at most five words.")
print(terse.instructions)
print(sig.instructions)
print(dspy.Predict(terse)(document=document).summary)

# Without instructions DSPy writes its own.
print(dspy.Signature("question, context -> answer").instructions)
