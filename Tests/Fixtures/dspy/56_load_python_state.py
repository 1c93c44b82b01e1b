import json
import os

import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

# What `compiled.save("state.json")` wrote in Python DSPy 3.4.1 for a ChainOfThought compiled by
# BootstrapFewShot (one bootstrapped demo, one labeled demo), after
# `compiled.predict.signature = compiled.predict.signature.with_instructions(...)`.
STATE = """{
  "predict": {
    "traces": [],
    "train": [],
    "demos": [
      {
        "augmented": true,
        "question": "What is the largest ocean on Earth?",
        "reasoning": "reasoning 13d9: What is the largest ocean on Earth?",
        "answer": "answer a5f5: What is the largest ocean on Earth?"
      },
      {
        "question": "What is the square root of 81?",
        "answer": "9"
      }
    ],
    "signature": {
      "instructions": "Answer the trivia question in a few words. Think step by step first.",
      "fields": [
        {
          "prefix": "Question:",
          "description": "${question}"
        },
        {
          "prefix": "Reasoning:",
          "description": "${reasoning}"
        },
        {
          "prefix": "Answer:",
          "description": "${answer}"
        }
      ]
    },
    "lm": null
  },
  "metadata": {
    "dependency_versions": {
      "python": "3.11",
      "dspy": "3.4.1",
      "cloudpickle": "3.1"
    }
  }
}
"""

# The shell writes no files but saved programs, so the state goes in with load_state.
program = dspy.ChainOfThought("question -> answer")
program.load_state(json.loads(STATE))
print(program.predict.signature.instructions)
print(len(program.predict.demos))
for demo in program.predict.demos:
    print(demo)
print(program(question="What is the capital of Canada?"))

print("--- a state that does not fit the program")
# the state of a plain Predict: its fields at the top level, not under "predict"
try:
    dspy.ChainOfThought("question -> answer").load_state(json.loads(STATE)["predict"])
    print("Predict state into ChainOfThought: loaded")
except Exception:
    print("Predict state into ChainOfThought: refused")
try:
    dspy.Predict("question -> answer").load_state(json.loads(STATE))
    print("ChainOfThought state into Predict: loaded")
except Exception:
    print("ChainOfThought state into Predict: refused")
