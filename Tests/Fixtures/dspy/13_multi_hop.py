import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

FACTS = {
    "david gregory": "David Gregory inherited Kinnairdy Castle in 1664.",
    "kinnairdy castle": "Kinnairdy Castle is a tower house in Aberdeenshire, Scotland.",
}


def retrieve(query):
    hits = [fact for key, fact in FACTS.items() if key in query.lower()]
    return hits or ["No results for: " + query]


class MultiHop(dspy.Module):
    def __init__(self, hops=2):
        self.generate_query = [dspy.ChainOfThought("context, question -> search_query") for _ in range(hops)]
        self.generate_answer = dspy.ChainOfThought("context, question -> answer")

    def forward(self, question):
        context = []
        for hop in self.generate_query:
            query = hop(context=context, question=question).search_query
            context = context + retrieve(query)
        return self.generate_answer(context=context, question=question)


program = MultiHop()
answer = program(question="How many storeys are in the castle that David Gregory inherited?")
print(answer.answer)
print(len(program.predictors()))
for name, _ in program.named_predictors():
    print(name)
