# DSPy-style pure-Python modules: classes with forward() and __call__ composition.
class Module:
    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

class Retrieve(Module):
    def __init__(self, corpus, k=2):
        self.corpus = corpus
        self.k = k
    def forward(self, query):
        scored = [(sum(w in doc for w in query.split()), doc) for doc in self.corpus]
        scored.sort(key=lambda t: (-t[0], t[1]))
        return [doc for score, doc in scored[: self.k] if score > 0]

class Answer(Module):
    def forward(self, question, passages):
        context = " | ".join(passages) or "no context"
        return {"question": question, "answer": f"Based on: {context}"}

class RAG(Module):
    def __init__(self, corpus):
        self.retrieve = Retrieve(corpus)
        self.answer = Answer()
    def forward(self, question):
        return self.answer(question=question, passages=self.retrieve(question))

rag = RAG(["paris is in france", "berlin is in germany", "the sky is blue"])
print(rag("where is paris"))
print(rag("what color is the sky")["answer"])
print(rag("unknown zzz"))
