import os
import dspy
from dspy.evaluate import SemanticF1
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

devset = [
    dspy.Example(question="Why is the sky blue?", response="Sunlight scatters off air molecules, blue light the most.").with_inputs("question"),
    dspy.Example(question="What causes tides?", response="The Moon's gravity pulls on the oceans.").with_inputs("question"),
    dspy.Example(question="Why do leaves change color?", response="Chlorophyll breaks down in autumn, revealing other pigments.").with_inputs("question"),
]

metric = SemanticF1(decompositional=True)
program = dspy.ChainOfThought("question -> response")

direct = metric(devset[0], program(**devset[0].inputs()))
print(type(direct).__name__, round(direct.score, 4))
print(metric(devset[0], program(**devset[0].inputs()), trace=[]).score)

evaluate = dspy.Evaluate(devset=devset, metric=SemanticF1(), num_threads=1)
result = evaluate(program)
print(result.score)
for example, prediction, score in result.results:
    print(example.question, "|", round(float(score), 4))
