import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

NOTES = {"mercury": "closest to the sun", "venus": "hottest planet", "mars": "has two moons"}


def planet_note(planet: str) -> str:
    """Return a short note about a planet."""
    return NOTES.get(planet.lower(), "no note for " + planet)


def planet_order(position: int) -> str:
    """Return the planet at a position from the sun (1 is Mercury)."""
    names = ["Mercury", "Venus", "Earth", "Mars", "Jupiter", "Saturn", "Uranus", "Neptune"]
    return names[(position - 1) % len(names)]


def moons(planet: str) -> int:
    """How many moons a planet has."""
    return {"earth": 1, "mars": 2}.get(planet.lower(), 0)


# Three tools but only two steps: the agent stops before it can call finish.
agent = dspy.ReAct("question -> answer", tools=[planet_note, planet_order, moons], max_iters=2)
result = agent(question="Tell me about the fourth planet.")
print(result.answer)
print(len(result.trajectory))
for key in result.trajectory:
    if key.startswith("tool_name"):
        print(key, result.trajectory[key])
