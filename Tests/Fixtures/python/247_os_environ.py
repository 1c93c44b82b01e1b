# Reading the known environment variable DSPY_CORPUS_VAR and setting new ones.
import os
print(os.environ.get("DSPY_CORPUS_VAR"))
print(os.environ["DSPY_CORPUS_VAR"])
print(os.getenv("DSPY_CORPUS_VAR"), os.getenv("DSPY_CORPUS_MISSING"))
print(os.getenv("DSPY_CORPUS_MISSING", "fallback"))
print(os.environ.get("DSPY_CORPUS_MISSING", "default"), "DSPY_CORPUS_VAR" in os.environ)
os.environ["X"] = "1"
print(os.environ["X"], os.getenv("X"), "X" in os.environ)
os.environ["DSPY_CORPUS_VAR"] = "changed"
print(os.environ.get("DSPY_CORPUS_VAR"))
del os.environ["X"]
print(os.environ.get("X"))
try:
    os.environ["X"] = 1
except TypeError as e:
    print(e)
