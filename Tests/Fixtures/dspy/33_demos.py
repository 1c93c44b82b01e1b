import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

translate = dspy.Predict("english -> french")
translate.demos = [
    dspy.Example(english="Good morning", french="Bonjour"),
    dspy.Example(english="Thank you very much", french="Merci beaucoup"),
]
print(len(translate.demos))
print(translate(english="See you tomorrow").french)

# ChainOfThought keeps its demos on its inner Predict; a demo may leave fields out.
cot = dspy.ChainOfThought("question -> answer: int")
cot.predict.demos = [
    dspy.Example(question="What is 3 + 4?", reasoning="Three plus four is seven.", answer=7),
    dspy.Example(question="What is 10 - 6?", answer=4),
]
r = cot(question="What is 5 + 8?")
print(r.answer, r.reasoning)
