import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

# n= asks for several completions; the prediction's fields are the first one's.
slogans = dspy.Predict("product -> slogan", n=3)
r = slogans(product="a solar-powered coffee mug")
print(len(r.completions))
print(r.completions.slogan)
print(r.slogan)
print(r)

# The same per call, through config.
cot = dspy.ChainOfThought("question -> answer")
many = cot(question="Name a prime number between 10 and 20.", config={"n": 2, "temperature": 1.0})
print(len(many.completions))
for answer in many.completions.answer:
    print("-", answer)
