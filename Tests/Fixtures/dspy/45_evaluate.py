import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

devset = [
    dspy.Example(question="What is the capital of Germany?", answer="Berlin").with_inputs("question"),
    dspy.Example(question="What is the capital of Austria?", answer="Vienna").with_inputs("question"),
    dspy.Example(question="What is the capital of Poland?", answer="Warsaw").with_inputs("question"),
    dspy.Example(question="What is the capital of Greece?", answer="Athens").with_inputs("question"),
]


def answer_mentions_capital(example, pred, trace=None):
    return "capital" in pred.answer.lower()


evaluate = dspy.Evaluate(devset=devset, metric=answer_mentions_capital, num_threads=2,
                         display_progress=False, display_table=False)
result = evaluate(dspy.Predict("question -> answer"))
print(result.score)
print(len(result.results))
for example, prediction, score in result.results:
    print(example.question, "|", prediction.answer, "|", score)
