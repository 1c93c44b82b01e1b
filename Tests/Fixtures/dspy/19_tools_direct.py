import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)
import asyncio


def add(x: int, y: int = 2) -> int:
    """Add two integers."""
    return x + y


async def shout(text: str) -> str:
    """Return the text in upper case."""
    return text.upper()


tool = dspy.Tool(add)
print(tool.name)
print(tool.desc)
print(tool.args)
print(tool(x=5))
print(tool(x=5, y=10))

loud = dspy.Tool(shout)
print(loud.name, loud.args)


async def main():
    print(await tool.acall(x=5))
    print(await loud.acall(text="hello tools"))


asyncio.run(main())

# Tools are usually handed to ReAct.
agent = dspy.ReAct("question -> answer", tools=[tool], max_iters=3)
print(agent(question="What is 40 plus 2?").answer)
