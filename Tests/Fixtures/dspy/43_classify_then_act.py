import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)
from typing import Literal


class Route(dspy.Signature):
    """Decide which team should handle a customer message."""

    message: str = dspy.InputField()
    team: Literal["sales", "support", "billing"] = dspy.OutputField()


class Reply(dspy.Signature):
    """Write a short reply on behalf of a team."""

    message: str = dspy.InputField()
    team: str = dspy.InputField()
    reply: str = dspy.OutputField()


class Helpdesk(dspy.Module):
    def __init__(self):
        self.route = dspy.Predict(Route)
        self.reply = dspy.ChainOfThought(Reply)

    def forward(self, message):
        team = self.route(message=message).team
        if team == "billing":
            note = "Billing replies within two days."
        else:
            note = "We usually reply within one day."
        reply = self.reply(message=message, team=team).reply
        return dspy.Prediction(team=team, reply=reply, note=note)


MESSAGES = [
    "I was charged twice this month.",
    "Do you offer discounts for schools?",
    "My invoice shows the wrong address.",
    "The app logs me out every hour.",
]
desk = Helpdesk()
for message in MESSAGES:
    out = desk(message=message)
    print(f"[{out.team}] {out.reply} ({out.note})")
