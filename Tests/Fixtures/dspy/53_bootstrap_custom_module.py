import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

PASSAGES = [
    "Marie Curie won Nobel Prizes in physics and chemistry.",
    "The Amazon river flows through Brazil, Peru and Colombia.",
    "Mount Kilimanjaro is the highest mountain in Africa.",
    "Jupiter is the largest planet of the solar system.",
    "The violin has four strings tuned in perfect fifths.",
]


def retrieve(query, k=2):
    words = {w.strip("?.,:").lower() for w in query.split() if len(w) > 3}
    scored = []
    for passage in PASSAGES:
        overlap = len(words & {w.strip("?.,:").lower() for w in passage.split()})
        if overlap:
            scored.append((-overlap, passage))
    scored.sort()
    return [passage for _, passage in scored[:k]] or ["No relevant passage found."]


class RAG(dspy.Module):
    def __init__(self):
        super().__init__()
        self.rewrite = dspy.Predict("question -> search_query")
        self.answer = dspy.ChainOfThought("context, question -> answer")

    def forward(self, question):
        query = self.rewrite(question=question).search_query
        context = "\n".join(retrieve(query))
        return self.answer(context=context, question=question)


trainset = [
    dspy.Example(question="Which prizes did Marie Curie win?", answer="Nobel").with_inputs("question"),
    dspy.Example(question="Who painted the Mona Lisa?", answer="Leonardo").with_inputs("question"),
    dspy.Example(question="Which river flows through Peru?", answer="Amazon").with_inputs("question"),
    dspy.Example(question="What is the highest mountain in Africa?", answer="Kilimanjaro").with_inputs("question"),
    dspy.Example(question="How many strings does a cello have?", answer="four").with_inputs("question"),
]


def grounded_answer(example, pred, trace=None):
    ok = example.answer.lower() in pred.answer.lower()
    steps = "no trace" if trace is None else f"{len(trace)} steps"
    print(f"metric: {example.question!r} ({steps}) -> {ok}")
    return ok


program = RAG()
print([name for name, _ in program.named_predictors()])

optimizer = dspy.BootstrapFewShot(metric=grounded_answer, max_bootstrapped_demos=2, max_labeled_demos=3)
compiled = optimizer.compile(program, trainset=trainset)

print([name for name, _ in compiled.named_predictors()])
print("student untouched:", [len(p.demos) for p in program.predictors()])
for name, predictor in compiled.named_predictors():
    print(f"{name}: {len(predictor.demos)} demos")
    for demo in predictor.demos:
        print("  ", demo)

prediction = compiled(question="What is the largest planet?")
print(prediction)
