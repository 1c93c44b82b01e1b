import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

qa = dspy.Predict("question -> answer")
cot = dspy.ChainOfThought("question -> answer")
summarize = dspy.Predict("text -> summary")

parallel = dspy.Parallel(num_threads=3, disable_progress_bar=True)
results = parallel([
    (qa, dspy.Example(question="What color is a ripe banana?").with_inputs("question")),
    (cot, dspy.Example(question="Why do leaves change color in autumn?").with_inputs("question")),
    (summarize, {"text": "The meeting moved to Thursday because the room was booked."}),
    (qa, {"question": "What is the freezing point of water in Fahrenheit?"}),
])
for r in results:
    print(r)
print(results[1].reasoning)
