import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)
import asyncio

fast = dspy.LM("openai/fixture-fast", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
qa = dspy.Predict("question -> answer")


async def ask(question, model=None):
    if model is None:
        return await qa.acall(question=question)
    # Each task has its own scope; the other tasks never see it.
    with dspy.context(lm=model):
        return await qa.acall(question=question)


async def main():
    results = await asyncio.gather(
        ask("What is the capital of Kenya?"),
        ask("What is the capital of Chile?", fast),
        ask("What is the capital of Canada?"),
    )
    for r in results:
        print(r.answer)
    print(dspy.settings.lm.model)


asyncio.run(main())
