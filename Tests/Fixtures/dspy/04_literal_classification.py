import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)
from typing import Literal


class Emotion(dspy.Signature):
    """Classify emotion."""

    sentence: str = dspy.InputField()
    sentiment: Literal["sadness", "joy", "love", "anger", "fear", "surprise"] = dspy.OutputField()


sentence = "i started feeling a little vulnerable when the giant spotlight started blinding me"
classify = dspy.Predict(Emotion)
print(classify(sentence=sentence))


class Review(dspy.Signature):
    """Classify the sentiment of a product review."""

    review: str = dspy.InputField(desc="a product review")
    sentiment: Literal["positive", "negative", "neutral"] = dspy.OutputField()
    confidence: float = dspy.OutputField(desc="between 0 and 1")


reviews = [
    "Battery life is great, screen is dim.",
    "Arrived broken and support never answered.",
    "It does what it says.",
]
judge = dspy.Predict(Review)
for review in reviews:
    r = judge(review=review)
    print(f"{r.sentiment:>8} {r.confidence:.2f} | {review}")
