import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)


class Pipeline(dspy.Module):
    def __init__(self):
        super().__init__()
        self.summarize = dspy.Predict("text -> summary")
        self.classify = dspy.Predict("summary -> positive: bool")

    def forward(self, text):
        summary = self.summarize(text=text).summary
        return self.classify(summary=summary)


trainset = [
    dspy.Example(text="I loved every minute of this film.", positive=True).with_inputs("text"),
    dspy.Example(text="The service was slow and the food was cold.", positive=False).with_inputs("text"),
    dspy.Example(text="A delightful surprise from start to finish.", positive=True).with_inputs("text"),
]


def sentiment_matches(example, pred, trace=None):
    return pred.positive == example.positive


optimizer = dspy.COPRO(metric=sentiment_matches, breadth=2, depth=2)
compiled = optimizer.compile(Pipeline(), trainset=trainset, eval_kwargs={"num_threads": 1})
print("total calls:", compiled.total_calls)
for c in compiled.candidate_programs:
    print(c["score"], c["depth"], "|", c["instruction"][:60], "|", c["prefix"][:40])
for name, predictor in compiled.named_predictors():
    print(name, "->", predictor.signature.instructions)
print(compiled(text="What a wonderful day."))
