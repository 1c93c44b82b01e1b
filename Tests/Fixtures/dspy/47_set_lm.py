import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

judge_lm = dspy.LM("openai/fixture-judge", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")


class WriteAndJudge(dspy.Module):
    def __init__(self):
        self.write = dspy.Predict("topic -> haiku")
        self.judge = dspy.Predict("haiku -> score: float, verdict")

    def forward(self, topic):
        haiku = self.write(topic=topic).haiku
        return self.judge(haiku=haiku)


program = WriteAndJudge()
program.judge.set_lm(judge_lm)
print(program.write.lm, program.judge.lm.model)
result = program(topic="autumn rain")
print(result.score, result.verdict)

program.set_lm(judge_lm)
print([p.lm.model for p in program.predictors()])
print(program(topic="first snow").verdict)
