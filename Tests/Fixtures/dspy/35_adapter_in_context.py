import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

extract = dspy.Predict("sentence -> subject, verb, obj")
sentence = "The cat chased the mouse."

with dspy.context(adapter=dspy.JSONAdapter()):
    as_json = extract(sentence=sentence)
    print(as_json)
as_chat = extract(sentence=sentence)
print(as_chat)
print(as_json.subject == as_chat.subject)
