import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

qa = dspy.Predict("question -> answer")
cot = dspy.ChainOfThought("question -> answer")

with dspy.track_usage() as usage:
    qa(question="What is the capital of Italy?")
    cot(question="Why do cats purr?")

totals = usage.get_total_tokens()
print(totals)
for model, tokens in totals.items():
    print(model, tokens["prompt_tokens"], tokens["completion_tokens"], tokens["total_tokens"])
