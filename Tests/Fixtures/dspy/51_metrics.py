import os
import dspy
from dspy.evaluate.metrics import EM, F1, HotPotF1, em_score, f1_score, hotpot_f1_score, normalize_text

lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

print("--- normalize_text")
for text in [
    "The Eiffel Tower!",
    "  An apple a day,   keeps the doctor away.  ",
    "Café Müller",
    "naïve résumé",
    "THE END",
    "theater and anthem",
    "U.S.A. (United States)",
    "",
    "a",
    "It's 3:45 p.m.",
    "tab\tand\nnewline",
    "«quoted» — dash",
]:
    print(repr(text), "->", repr(normalize_text(text)))

print(len("Café"), len(normalize_text("Café")), normalize_text("Café") == "café")
print(em_score("Cafe\u0301", "Café"), em_score("CAFÉ", "café"))

print("--- answer_exact_match")
cases = [
    ("Paris", "paris"),
    ("The Paris", "Paris!"),
    ("Paris, France", "Paris"),
    ("Café", "cafe"),
    ("Café", "Café"),
    (["Paris", "Lyon"], "lyon"),
    (["Paris", "Lyon"], "Marseille"),
]
for answer, predicted in cases:
    example = dspy.Example(question="Where?", answer=answer)
    pred = dspy.Prediction(answer=predicted)
    print(repr(answer), repr(predicted),
          dspy.evaluate.answer_exact_match(example, pred),
          dspy.evaluate.answer_exact_match(example, pred, frac=0.5))

example = dspy.Example(answer="Eiffel Tower in Paris")
print(dspy.evaluate.answer_exact_match(example, dspy.Prediction(answer="the Eiffel Tower"), frac=0.5))
print(dspy.evaluate.answer_exact_match(example, dspy.Prediction(answer="a tower"), frac=0.5))
print(dspy.evaluate.answer_exact_match(example, dspy.Prediction(answer="a tower"), frac=0.4))

print("--- answer_passage_match")
pred = dspy.Prediction(context=[
    "The Eiffel Tower is a wrought-iron tower in Paris.",
    "It was designed by Gustave Eiffel's company.",
])
for answer in ["Eiffel Tower", "paris", "Gustave Eiffel", "London", ["London", "wrought iron"], "tower in"]:
    print(repr(answer), dspy.evaluate.answer_passage_match(dspy.Example(answer=answer), pred))

print("--- EM / F1 / HotPotF1")
pairs = [
    ("Eiffel Tower is in Paris", ["Paris"]),
    ("the Eiffel Tower", ["Eiffel Tower", "Louvre"]),
    ("Paris Paris", ["Paris"]),
    ("New York City", ["new york", "NYC"]),
    ("yes", ["no"]),
    ("yes", ["yes"]),
    ("Yes!", ["yes"]),
    ("no answer", ["noanswer"]),
    ("", ["Paris"]),
    ("cat dog", ["dog cat"]),
    ("one two three four", ["two four six"]),
]
for prediction, answers in pairs:
    print(repr(prediction), answers, EM(prediction, answers), round(F1(prediction, answers), 4),
          round(HotPotF1(prediction, answers), 4))

print("--- em_score / f1_score / hotpot_f1_score")
print(em_score("The Cat", "cat"), em_score("cat.", "cats"))
print(f1_score("the quick brown fox", "quick brown dogs"))
print(f1_score("a b c", "x y z"))
print(f1_score("Zürich", "Zurich"))
print(hotpot_f1_score("no", "no way"))
print(hotpot_f1_score("maybe", "maybe not"))

try:
    EM("Paris", "Paris")
except ValueError as e:
    print("ValueError:", e)
try:
    dspy.evaluate.answer_exact_match(dspy.Example(answer=42), dspy.Prediction(answer="42"))
except ValueError as e:
    print("ValueError:", e)
