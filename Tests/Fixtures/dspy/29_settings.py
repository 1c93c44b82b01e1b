import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)

print(dspy.settings.lm.model)
print(dspy.settings.lm is lm)
print(dspy.settings.num_threads, dspy.settings.max_errors, dspy.settings.track_usage)
print(dspy.settings.adapter)
print(dspy.settings.get("my_setting", "not set"))

dspy.configure(num_threads=4, max_errors=2, my_setting="configured")
print(dspy.settings.num_threads, dspy.settings.max_errors, dspy.settings.my_setting)

with dspy.context(num_threads=1, my_setting="scoped"):
    print(dspy.settings.num_threads, dspy.settings.my_setting, dspy.settings.max_errors)
print(dspy.settings.num_threads, dspy.settings.my_setting)

print(dspy.settings["lm"].model)
print("track_usage" in dspy.settings.config, dspy.settings.config["async_max_workers"])
print(dspy.Predict("question -> answer")(question="Does configure keep the LM?").answer)
