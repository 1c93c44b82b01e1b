import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)
import asyncio


async def get_weather(city: str) -> str:
    """Get the current weather for a city."""
    await asyncio.sleep(0)
    return f"It is sunny and 21 degrees in {city}."


async def count_words(text: str) -> int:
    """Count the words in a text."""
    return len(text.split())


class TravelAnswer(dspy.Signature):
    """Answer travel questions using the tools."""

    question: str = dspy.InputField()
    answer: str = dspy.OutputField()
    pack_umbrella: bool = dspy.OutputField()


async def main():
    agent = dspy.ReAct(TravelAnswer, tools=[get_weather, count_words], max_iters=5)
    result = await agent.acall(question="Should I pack an umbrella for Lisbon?")
    print(result.answer)
    print(result.pack_umbrella)
    print(sorted(result.trajectory.keys()))
    print(result.trajectory["observation_0"])


asyncio.run(main())
