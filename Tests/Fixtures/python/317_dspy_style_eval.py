# Evaluating predictions against a dataset with a metric and formatted percentages.
dataset = [
    {"question": "2+2", "answer": "4"},
    {"question": "capital of France", "answer": "Paris"},
    {"question": "3*3", "answer": "9"},
    {"question": "color of sky", "answer": "blue"},
]
def predict(question):
    table = {"2+2": "4", "3*3": "6", "color of sky": "Blue"}
    return table.get(question, "unknown")
def exact_match(example, pred):
    return example["answer"].strip().lower() == pred.strip().lower()
scores = []
for ex in dataset:
    pred = predict(ex["question"])
    ok = exact_match(ex, pred)
    scores.append(ok)
    print(f"{ex['question']:<18} pred={pred!r:<10} {'PASS' if ok else 'FAIL'}")
accuracy = sum(scores) / len(scores)
print(f"Accuracy: {accuracy:.1%} ({sum(scores)}/{len(scores)})")
print(f"score = {round(100 * accuracy, 2)}")
