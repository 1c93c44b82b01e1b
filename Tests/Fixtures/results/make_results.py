# Writes the expected results files with Python DSPy 3.4.1 (run from the repository root
# with the bench venv's python); EvaluateTests compares the library's files with them byte for byte.
import dspy, sys
ANSWERS = {"q1": 'Paris, "the" city', "q2": "café ☕ 😀", "q3": "line1\nline2"}
class Table(dspy.Module):
    def forward(self, question):
        if question not in ANSWERS:
            raise ValueError("no answer for " + question)
        return dspy.Prediction(answer=ANSWERS[question])
def ex(q, a): return dspy.Example(question=q, answer=a).with_inputs("question")
dev = [ex("q1", 'Paris, "the" city'), ex("q2", "café ☕ 😀"), ex("q3", "other")]
dspy.Evaluate(devset=dev, metric=dspy.evaluate.answer_exact_match, num_threads=1,
              save_as_csv="Tests/Fixtures/results/ok.csv", save_as_json="/tmp/savecmp/ok.json")(Table())
dev2 = dev + [ex("q4", "Madrid")]
dspy.Evaluate(devset=dev2, metric=dspy.evaluate.answer_exact_match, num_threads=1,
              save_as_json="Tests/Fixtures/results/failed.json")(Table())
