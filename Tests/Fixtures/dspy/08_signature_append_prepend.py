import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

base = dspy.Signature("question -> answer")
print(list(base.fields))

with_context = base.prepend("context", dspy.InputField(desc="facts that may help"), type_=list[str])
print(list(with_context.input_fields), list(with_context.output_fields))

with_confidence = with_context.append("confidence", dspy.OutputField(desc="0 to 1"), type_=float)
print(list(with_confidence.fields))
print(list(base.fields))

predict = dspy.Predict(with_confidence)
r = predict(context=["Paris is in France.", "Lyon is in France."], question="Which city is the capital of France?")
print(r.answer)
print(r.confidence)
