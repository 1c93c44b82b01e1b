import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

example = dspy.Example(question="What is 2 + 2?", answer="4")
print(example)
print(example.question, example["answer"])
print(len(example), sorted(example.keys()))

train = example.with_inputs("question")
print(train)
print(train.inputs())
print(train.labels())
print(train.toDict())
print(example.without("answer"))
print(train.copy(answer="four"))

pred = dspy.Prediction(answer="4", rationale="two and two make four")
print(pred)
print(pred.answer, pred.get("missing", "default"))
print(sorted(pred.keys()))
print(pred.toDict())

qa = dspy.Predict("question -> answer")
live = qa(**train.inputs())
print(live.answer)
print(live.answer == train.answer)
