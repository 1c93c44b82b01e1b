import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

CORPUS = [
    "The Eiffel Tower is in Paris and was completed in 1889.",
    "Paris is the capital and largest city of France.",
    "The Colosseum is an ancient amphitheatre in Rome.",
    "Mount Fuji is the highest mountain in Japan.",
]


def search(query, k=2):
    words = set(query.lower().replace("?", "").split())
    scored = sorted(CORPUS, key=lambda doc: -len(words & set(doc.lower().replace(".", "").split())))
    return scored[:k]


class RAG(dspy.Module):
    def __init__(self, num_docs=2):
        self.num_docs = num_docs
        self.respond = dspy.ChainOfThought("context, question -> response")

    def forward(self, question):
        context = search(question, k=self.num_docs)
        return self.respond(context=context, question=question)


rag = RAG()
result = rag(question="When was the tower in Paris completed?")
print(result)
print(result.response)
print(search("When was the tower in Paris completed?"))
