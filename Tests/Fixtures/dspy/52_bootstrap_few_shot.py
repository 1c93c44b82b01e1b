import os
from typing import Literal

import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)


class Sentiment(dspy.Signature):
    """Classify the sentiment of a movie review."""

    review: str = dspy.InputField()
    sentiment: Literal["positive", "negative", "neutral"] = dspy.OutputField()


trainset = [
    dspy.Example(review="An absolute delight from start to finish.", sentiment="positive").with_inputs("review"),
    dspy.Example(review="I walked out after twenty minutes.", sentiment="negative").with_inputs("review"),
    dspy.Example(review="It was a film. It had actors in it.", sentiment="neutral").with_inputs("review"),
    dspy.Example(review="Stunning visuals and a moving story.", sentiment="positive").with_inputs("review"),
    dspy.Example(review="The soundtrack alone is worth the ticket.", sentiment="positive").with_inputs("review"),
    dspy.Example(review="Two hours I will never get back.", sentiment="negative").with_inputs("review"),
]


def sentiment_match(example, pred, trace=None):
    ok = example.sentiment == pred.sentiment
    print(f"metric: {example.review[:24]!r} expected={example.sentiment} got={pred.sentiment} trace={trace is not None} -> {ok}")
    return ok


optimizer = dspy.BootstrapFewShot(metric=sentiment_match, max_bootstrapped_demos=2, max_labeled_demos=3)
student = dspy.ChainOfThought(Sentiment)
compiled = optimizer.compile(student, trainset=trainset)
print("student demos:", len(student.predict.demos))

for name, predictor in compiled.named_predictors():
    print(name, len(predictor.demos))
    for demo in predictor.demos:
        print("  ", demo)

prediction = compiled(review="A charming, funny and heartfelt comedy.")
print(prediction)
