# Reading a missing environment variable with [] raises KeyError (uncaught).
import os
print("var:", os.environ["DSPY_CORPUS_VAR"])
print(os.environ.get("NOT_SET_IN_CORPUS", "absent"))
value = os.environ["NOT_SET_IN_CORPUS"]
print("not reached", value)
