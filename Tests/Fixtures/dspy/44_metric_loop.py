import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

devset = [
    dspy.Example(question="What is 12 + 30?", answer=42).with_inputs("question"),
    dspy.Example(question="What is 9 * 9?", answer=81).with_inputs("question"),
    dspy.Example(question="What is 100 - 1?", answer=99).with_inputs("question"),
]


def exact_match(example, pred, trace=None):
    return example.answer == pred.answer


solver = dspy.ChainOfThought("question -> answer: int")
scores = []
for example in devset:
    pred = solver(**example.inputs())
    scores.append(exact_match(example, pred))
    print(example.question, pred.answer, example.answer)
print(f"accuracy: {sum(scores) / len(scores):.2f}")
