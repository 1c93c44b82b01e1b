import json
import os

import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

trainset = [
    dspy.Example(question="What is the boiling point of water at sea level?", answer="100 °C").with_inputs("question"),
    dspy.Example(question="How many legs does a spider have?", answer="eight",
                 reasoning="Spiders are arachnids, and arachnids have eight legs.").with_inputs("question"),
    dspy.Example(question="What gas do plants absorb?", answer="carbon dioxide").with_inputs("question"),
]

compiled = dspy.LabeledFewShot(k=2).compile(dspy.ChainOfThought("question -> answer"), trainset=trainset, sample=False)
compiled.save("prog.json")

with open("prog.json") as f:
    state = json.load(f)
print(sorted(state["metadata"]))
print(sorted(state["metadata"]["dependency_versions"]))
del state["metadata"]
print(json.dumps(state, indent=2))

loaded = dspy.ChainOfThought("question -> answer")
print(len(loaded.predict.demos))
loaded.load("prog.json")
print(len(loaded.predict.demos))
for demo in loaded.predict.demos:
    print(type(demo).__name__, demo)
print(loaded(question="What is the chemical symbol for gold?"))


class Translate(dspy.Signature):
    """Translate the English text into French. Keep proper nouns unchanged."""

    text: str = dspy.InputField(desc="English text to translate")
    language_hint: str = dspy.InputField(desc="the variety of French to use")
    translation: str = dspy.OutputField(desc="the French translation")


translator = dspy.Predict(Translate)
translator.demos = [dspy.Example(text="Good morning", language_hint="Québécois", translation="Bon matin")]
translator.save("translator.json")
with open("translator.json", encoding="utf-8") as f:
    text = f.read()
print(text[:text.index('  "metadata"')], end="")
saved = json.loads(text)
del saved["metadata"]
print(json.dumps(saved, indent=2, ensure_ascii=False))

fresh = dspy.Predict(Translate)
fresh.load("translator.json")
print(fresh.signature.instructions)
print(fresh.demos)
print(fresh(text="The library opens at nine.", language_hint="Parisian").translation)

print("--- a predictor with its own LM")
summarize = dspy.Predict("text -> summary")
summarize.set_lm(dspy.LM("openai/gpt-4o-mini", temperature=0.5, max_tokens=100, api_key="secret-key"))
summarize.save("summarize.json")
with open("summarize.json") as f:
    print(json.dumps(json.load(f)["lm"], indent=2))
restored = dspy.Predict("text -> summary")
restored.load("summarize.json")
print(restored.lm.model, restored.lm.kwargs)

local = dspy.Predict("text -> summary")
local.set_lm(dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key",
                     temperature=0.2))
local.save("local.json")
with open("local.json") as f:
    print(sorted(json.load(f)["lm"]))
restored.load("local.json")
print(restored.lm.model, restored.lm.kwargs)
