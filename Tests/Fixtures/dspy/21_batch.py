import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

qa = dspy.Predict("question -> answer")
questions = [
    "What is the largest ocean?",
    "Who painted the Mona Lisa?",
    "What is the square root of 81?",
    "In which year did the Berlin Wall fall?",
    "What language is spoken in Brazil?",
]
examples = [dspy.Example(question=q).with_inputs("question") for q in questions]
results = qa.batch(examples, num_threads=4, disable_progress_bar=True)
print(len(results))
for example, result in zip(examples, results):
    print(f"{example.question} => {result.answer}")
