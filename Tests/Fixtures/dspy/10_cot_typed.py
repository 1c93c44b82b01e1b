import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

math = dspy.ChainOfThought("question -> answer: float")
r = math(question="Two dice are tossed. What is the probability that the sum equals two?")
print(r.reasoning)
print(r.answer, type(r.answer).__name__)


class CountLetters(dspy.Signature):
    """Count how many times a letter occurs in a word."""

    word: str = dspy.InputField()
    letter: str = dspy.InputField()
    count: int = dspy.OutputField()
    sure: bool = dspy.OutputField()


counter = dspy.ChainOfThought(CountLetters)
for word in ["strawberry", "banana"]:
    c = counter(word=word, letter="a")
    print(word, c.count, c.sure)
