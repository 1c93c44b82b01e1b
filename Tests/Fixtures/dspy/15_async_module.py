import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)
import asyncio


class AsyncQA(dspy.Module):
    def __init__(self):
        self.draft = dspy.Predict("question -> draft")
        self.refine = dspy.ChainOfThought("question, draft -> answer")

    async def aforward(self, question):
        draft = await self.draft.acall(question=question)
        return await self.refine.acall(question=question, draft=draft.draft)


async def main():
    qa = AsyncQA()
    result = await qa.acall(question="What is the boiling point of water at sea level?")
    print(result.answer)
    print(result)
    plain = await dspy.Predict("question -> answer").acall(question="Is the sun a star?")
    print(plain.answer)


asyncio.run(main())
