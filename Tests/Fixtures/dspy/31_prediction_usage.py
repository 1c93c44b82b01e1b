import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

dspy.configure(track_usage=True)


class TwoStep(dspy.Module):
    def __init__(self):
        self.keywords = dspy.Predict("question -> keywords: list[str]")
        self.answer = dspy.ChainOfThought("question, keywords -> answer")

    def forward(self, question):
        keywords = self.keywords(question=question).keywords
        return self.answer(question=question, keywords=keywords)


result = dspy.Predict("question -> answer")(question="How far is the moon?")
print(result.get_lm_usage())
program = TwoStep()
pred = program(question="How do bees make honey?")
print(pred.get_lm_usage())
# A cached answer costs nothing.
again = dspy.Predict("question -> answer")(question="How far is the moon?")
print(again.get_lm_usage())
print(again.answer == result.answer)
