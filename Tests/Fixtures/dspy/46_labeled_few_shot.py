import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

trainset = [
    dspy.Example(word="happy", antonym="sad").with_inputs("word"),
    dspy.Example(word="tall", antonym="short").with_inputs("word"),
    dspy.Example(word="early", antonym="late").with_inputs("word"),
]

student = dspy.Predict("word -> antonym")
optimizer = dspy.LabeledFewShot(k=2)
compiled = optimizer.compile(student, trainset=trainset, sample=False)
print(len(compiled.demos), len(student.demos))
for demo in compiled.demos:
    print(demo.word, "->", demo.antonym)
print(compiled(word="light").antonym)
