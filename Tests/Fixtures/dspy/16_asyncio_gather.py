import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)
import asyncio

qa = dspy.Predict("question -> answer")
questions = [
    "What is 7 times 6?",
    "Which planet is known as the red planet?",
    "What gas do plants absorb?",
    "How many continents are there?",
]


async def main():
    results = await asyncio.gather(*[qa.acall(question=q) for q in questions])
    for q, r in zip(questions, results):
        print(f"{q} -> {r.answer}")
    return len(results)


count = asyncio.run(main())
print(count, "answers")
