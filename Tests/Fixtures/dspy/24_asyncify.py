import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)
import asyncio

program = dspy.ChainOfThought("question -> answer")
async_program = dspy.asyncify(program)


async def main():
    first = await async_program(question="What is the chemical symbol for gold?")
    print(first.answer)
    rest = await asyncio.gather(
        async_program(question="What is the chemical symbol for iron?"),
        async_program(question="What is the chemical symbol for sodium?"),
    )
    for r in rest:
        print(r.answer)


asyncio.run(main())
