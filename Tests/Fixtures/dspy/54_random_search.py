import os
import sys
from typing import Literal

import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)


class Topic(dspy.Signature):
    """Which section of the newspaper does the headline belong to?"""

    headline: str = dspy.InputField()
    section: Literal["sports", "politics", "science"] = dspy.OutputField()


def ex(headline, section):
    return dspy.Example(headline=headline, section=section).with_inputs("headline")


trainset = [
    ex("Local team wins the championship in overtime", "sports"),
    ex("Parliament passes the new budget", "politics"),
    ex("Astronomers spot a comet near Mars", "science"),
    ex("Star striker signs a five-year contract", "sports"),
    ex("Senate debates the climate bill", "politics"),
]
valset = [
    ex("Marathon record falls in Berlin", "sports"),
    ex("New species of frog found in Peru", "science"),
    ex("Mayor announces re-election campaign", "politics"),
    ex("Physicists cool atoms to near absolute zero", "science"),
]


def section_match(example, pred, trace=None):
    return example.section == pred.section


class ProgressFilter:
    """Stands in for stdout while compiling: Evaluate's progress bar (tqdm, which redraws one line
    with carriage returns and shows timings) is dropped, every other printed line is kept."""

    def __init__(self, stream):
        self.stream = stream
        self.pending = ""

    def write(self, text):
        self.pending += text
        while "\n" in self.pending:
            line, self.pending = self.pending.split("\n", 1)
            if "\r" not in line:
                self.stream.write(line + "\n")
        return len(text)

    def flush(self):
        self.stream.flush()


optimizer = dspy.BootstrapFewShotWithRandomSearch(
    metric=section_match,
    max_bootstrapped_demos=2,
    max_labeled_demos=2,
    num_candidate_programs=2,
    num_threads=1,
)
student = dspy.Predict(Topic)
sys.stdout = ProgressFilter(sys.stdout)
try:
    best = optimizer.compile(student, trainset=trainset, valset=valset)
finally:
    sys.stdout = sys.stdout.stream

print([c["score"] for c in best.candidate_programs])
print([c["seed"] for c in best.candidate_programs])
print([c["subscores"] for c in best.candidate_programs])
print(best.candidate_programs[0]["program"] is best)
for demo in best.demos:
    print(demo)
print(best(headline="Chess champion retires at forty"))
