import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

# An LM can be called directly, with a prompt or with messages; it returns a list of strings.
print(lm("Say this is a test!"))
print(lm(messages=[{"role": "user", "content": "Say this is a test!"}]))
replies = lm(messages=[
    {"role": "system", "content": "You are a terse assistant."},
    {"role": "user", "content": "Name three colors."},
], temperature=0.5)
print(len(replies), replies[0])
print(lm("Hello", n=2))
