import os
from typing import Literal

import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)


class YesNo(dspy.Signature):
    """Answer the question with yes or no."""

    question: str = dspy.InputField()
    answer: Literal["yes", "no"] = dspy.OutputField()


class CarefulQA(dspy.Module):
    def __init__(self):
        super().__init__()
        self.respond = dspy.Predict(YesNo)

    def forward(self, question):
        if "unicorn" in question.lower():
            raise ValueError("no reliable data about unicorns")
        return self.respond(question=question)


devset = [
    dspy.Example(question="Is Paris the capital of France?", answer="yes").with_inputs("question"),
    dspy.Example(question="Is the Atlantic an ocean?", answer="yes").with_inputs("question"),
    dspy.Example(question="Is the Moon made of cheese?", answer="no").with_inputs("question"),
    dspy.Example(question="Do unicorns live in Scotland?", answer="no").with_inputs("question"),
    dspy.Example(question="Is water wet?", answer="Yes.").with_inputs("question"),
    dspy.Example(question="Can penguins fly?", answer="no").with_inputs("question"),
    dspy.Example(question="Is seven a prime number?", answer=["yes", "true"]).with_inputs("question"),
]

evaluate = dspy.Evaluate(
    devset=devset,
    metric=dspy.evaluate.answer_exact_match,
    num_threads=1,
    display_progress=False,
    display_table=False,
    failure_score=0.25,
)
result = evaluate(CarefulQA())
print(result)
print(result.score)
for example, prediction, score in result.results:
    print(example.question, "| expected:", example.answer, "| score:", score)
    print(prediction)

print("--- plain Predict, two threads")
result = evaluate(dspy.Predict(YesNo), num_threads=2)
print(result.score)
print([score for _, _, score in result.results])
print([prediction.answer for _, prediction, _ in result.results])
