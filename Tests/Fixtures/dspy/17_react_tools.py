import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

CAPITALS = {"france": "Paris", "japan": "Tokyo", "peru": "Lima"}


def lookup_capital(country: str) -> str:
    """Look up the capital city of a country."""
    for name, capital in CAPITALS.items():
        if name in country.lower():
            return capital
    return "unknown"


def multiply(a: int, b: int) -> int:
    """Multiply two integers."""
    return a * b


agent = dspy.ReAct("question -> answer", tools=[lookup_capital, multiply])
pred = agent(question="What is the capital of France, and what is 6 times 7?")
print(pred.answer)
for key, value in pred.trajectory.items():
    print(f"{key}: {value}")
