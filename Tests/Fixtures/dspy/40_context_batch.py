import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

reviewer = dspy.LM("openai/fixture-reviewer", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
grade = dspy.Predict("essay -> grade: int, comment")
essays = [
    dspy.Example(essay="Cats are better than dogs because they are quiet.").with_inputs("essay"),
    dspy.Example(essay="Summer is the best season for travel.").with_inputs("essay"),
    dspy.Example(essay="Reading every day improves focus.").with_inputs("essay"),
]

# Workers inherit the scope: every batch call goes to the reviewer LM.
with dspy.context(lm=reviewer):
    results = grade.batch(essays, num_threads=3, disable_progress_bar=True)
for essay, result in zip(essays, results):
    print(result.grade, result.comment)

print(grade(essay="Short essays are easy to grade.").comment)
