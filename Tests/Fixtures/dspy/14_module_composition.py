import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)


class Draft(dspy.Module):
    def __init__(self):
        self.outline = dspy.Predict("topic -> outline: list[str]")
        self.write = dspy.ChainOfThought("topic, outline -> paragraph")

    def forward(self, topic):
        outline = self.outline(topic=topic).outline
        return self.write(topic=topic, outline=outline)


class Article(dspy.Module):
    def __init__(self):
        self.draft = Draft()
        self.title = dspy.Predict("paragraph -> title")

    def forward(self, topic):
        paragraph = self.draft(topic=topic).paragraph
        title = self.title(paragraph=paragraph).title
        return dspy.Prediction(title=title, paragraph=paragraph)


article = Article()
out = article(topic="tide pools")
print(out.title)
print(out.paragraph)
print(out)
print([name for name, _ in article.named_predictors()])
