import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

# The smallest DSPy program: a string signature and Predict.
qa = dspy.Predict("question -> answer")
pred = qa(question="What is the capital of France?")
print(pred)
print(pred.answer)
print(type(pred).__name__)

# Keyword arguments name the input fields; the prediction's attributes are the outputs.
for question in ["Who wrote Hamlet?", "How many legs does a spider have?"]:
    print(f"Q: {question}")
    print(f"A: {qa(question=question).answer}")
