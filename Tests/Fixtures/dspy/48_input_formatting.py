import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

# Inputs of every type are written into the prompt; the requests show how.
score = dspy.Predict("numbers: list[int], weights: dict[str, float], strict: bool, note -> total: int, summary")
r = score(numbers=[3, 1, 4, 1, 5], weights={"a": 0.5, "b": 1.5}, strict=True, note="multi\nline note")
print(r.total, r.summary)

rank = dspy.Predict("query, passages: list[str] -> best_index: int")
passages = ["Bees make honey.", "Ants live in colonies.", "Wasps can sting more than once."]
best = rank(query="Which insect makes honey?", passages=passages)
print(best.best_index)
print(best)
