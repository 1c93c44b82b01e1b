# Default values evaluated once at definition time; closures over loop variables.
import time
def stamp(t=time.time()):
    return t
print(stamp() == stamp())
calls = []
def make_handlers():
    handlers = {}
    for name in ["save", "load"]:
        def handler(name=name):
            calls.append(name)
            return f"handled {name}"
        handlers[name] = handler
    return handlers
h = make_handlers()
print(h["save"](), h["load"](), calls)
def counter_factory(start=0, step=1):
    def nxt():
        nonlocal start
        start += step
        return start
    return nxt
c = counter_factory(10, 5)
print(c(), c(), counter_factory()())
