import os
import dspy

lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm, adapter=dspy.JSONAdapter())

STOCK = {"apples": 12, "pears": 0}


def check_stock(item: str) -> int:
    """How many units of an item are in stock."""
    return STOCK.get(item.lower(), 3)


def reorder(item: str, quantity: int, express: bool = False) -> str:
    """Reorder an item from the supplier."""
    return f"ordered {quantity} x {item}" + (" (express)" if express else "")


agent = dspy.ReAct("request -> status, units_ordered: int", tools=[check_stock, reorder], max_iters=4)
result = agent(request="We are out of pears, please restock")
print(result.status)
print(result.units_ordered)
print(result.trajectory["tool_args_1"])
print(result.trajectory["observation_1"])
