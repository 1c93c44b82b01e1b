# getattr with default, setattr, hasattr used for dynamic dispatch.
class Handler:
    def on_start(self):
        return "starting"
    def on_stop(self):
        return "stopping"

h = Handler()
for event in ["start", "stop", "pause"]:
    method = getattr(h, "on_" + event, None)
    print(event, "->", method() if method else "no handler")
print(hasattr(h, "on_start"), hasattr(h, "on_pause"), callable(getattr(h, "on_stop")))
setattr(h, "on_pause", lambda: "pausing")
print(h.on_pause())
class Settings:
    pass
s = Settings()
for k, v in {"debug": True, "level": 3}.items():
    setattr(s, k, v)
print(s.debug, s.level, getattr(s, "missing", "n/a"))
