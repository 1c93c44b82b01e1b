import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

qa = dspy.Predict("question -> answer")
examples = [
    dspy.Example(question="What is the tallest animal?").with_inputs("question"),
    dspy.Example(question="!fail this one on purpose").with_inputs("question"),
    dspy.Example(question="What is the fastest bird?").with_inputs("question"),
]
results, failed_examples, exceptions = qa.batch(
    examples, num_threads=2, return_failed_examples=True, disable_progress_bar=True
)
print(len(results), len(failed_examples), len(exceptions))
for r in results:
    print(r.answer if r is not None else None)
for example, error in zip(failed_examples, exceptions):
    print(example.question, "->", type(error).__name__)
