import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)


class Inventory(dspy.Signature):
    """Count the items mentioned in the text."""

    text: str = dspy.InputField()
    counts: dict[str, int] = dspy.OutputField(desc="item name to how many")
    names: list[str] = dspy.OutputField()
    sizes: list[int] = dspy.OutputField()


take_stock = dspy.Predict(Inventory)
r = take_stock(text="Three apples, two pears and a basket of plums on the kitchen table")
print(r.counts)
for name, count in sorted(r.counts.items()):
    print(f"{name}: {count}")
print(r.names)
print(sum(r.sizes), len(r.names))
print(r.toDict())
