import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)


class FactCheck(dspy.Signature):
    """Decide whether the statement is true."""

    statement: str = dspy.InputField()
    verdict: bool = dspy.OutputField()


trainset = [
    dspy.Example(statement="Water boils at 100 degrees Celsius at sea level.", verdict=True).with_inputs("statement"),
    dspy.Example(statement="The Sun orbits the Earth.", verdict=False).with_inputs("statement"),
    dspy.Example(statement="Spiders have eight legs.", verdict=True).with_inputs("statement"),
    dspy.Example(statement="Bats are birds.", verdict=False).with_inputs("statement"),
]


def verdict_matches(example, pred, trace=None):
    return pred.verdict == example.verdict


program = dspy.Predict(FactCheck)
optimizer = dspy.COPRO(metric=verdict_matches, breadth=3, depth=2, init_temperature=1.0)
compiled = optimizer.compile(program, trainset=trainset, eval_kwargs={"num_threads": 1, "display_progress": False})

print("total calls:", compiled.total_calls)
print("candidates:", len(compiled.candidate_programs))
for c in compiled.candidate_programs:
    print(c["score"], c["depth"], "|", c["instruction"], "|", c["prefix"])
print("best instruction:", compiled.signature.instructions)
print("original instruction:", program.signature.instructions)
print(compiled(statement="Penguins can fly."))
