# Conversation history as a list of dicts, trimmed and rendered as a prompt.
history = []
def add(role, content):
    history.append({"role": role, "content": content})
add("system", "You are terse.")
for i in range(4):
    add("user", f"question {i}")
    add("assistant", f"answer {i}")
def render(msgs, max_turns=2):
    system = [m for m in msgs if m["role"] == "system"]
    rest = [m for m in msgs if m["role"] != "system"][-2 * max_turns:]
    return "\n".join(f"{m['role'].upper()}: {m['content']}" for m in system + rest)
print(render(history))
print(len(history), sum(1 for m in history if m["role"] == "user"))
print(history[-1], history[0]["content"].split())
