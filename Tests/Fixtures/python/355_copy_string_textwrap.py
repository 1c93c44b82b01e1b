# copy.copy/deepcopy, string constants, textwrap dedent/indent/shorten/wrap/fill.
import copy
import string
import textwrap

config = {"model": "gpt", "stops": ["\n"], "nested": {"k": [1, 2]}}
shallow = copy.copy(config)
deep = copy.deepcopy(config)
config["stops"].append("END")
config["nested"]["k"].append(3)
print(shallow["stops"], deep["stops"], deep["nested"], shallow is config)

class Module:
    def __init__(self):
        self.demos = [{"q": 1}]

m = Module()
m2 = copy.deepcopy(m)
m2.demos[0]["q"] = 99
print(m.demos, m2.demos, type(m2).__name__)

print(string.ascii_lowercase, string.digits, string.ascii_uppercase[:5])
print(len(string.punctuation), string.capwords("hello there world"))

prompt = textwrap.dedent("""
    You are a helpful assistant.
      Answer briefly.
    Question: {q}
""").strip()
print(prompt)
print(textwrap.indent("line one\nline two", "> "))
text = "DSPy programs are composed of modules that call language models with signatures."
print(textwrap.wrap(text, width=30))
print(textwrap.fill(text, width=40))
print(textwrap.shorten(text, width=35))
