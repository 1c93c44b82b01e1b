# logging: named loggers, levels, handlers, formatters and basicConfig, printed to stdout
import logging, sys
log = logging.getLogger("app.sub")
print(log, log.parent, logging.getLogger("app"), log.parent)
fmt = "%(levelname)s:%(name)s:%(message)s"
logging.basicConfig(stream=sys.stdout, format=fmt, level=logging.INFO)
log.info("hello %s", "world")
log.debug("hidden")
logging.getLogger("dspy").setLevel(logging.ERROR)
logging.getLogger("dspy.x").warning("not shown")
logging.getLogger("dspy.x").error("shown %d", 3)
logging.warning("root %r", [1])
h = logging.StreamHandler(sys.stdout)
h.setFormatter(logging.Formatter("{levelname} {name}: {message}", style="{"))
other = logging.getLogger("other")
other.propagate = False
other.addHandler(h)
other.critical("crit")
print(logging.getLevelName(logging.WARNING), logging.getLevelName("DEBUG"))
print(other.getEffectiveLevel(), other.hasHandlers())
logging.disable(logging.CRITICAL)
other.critical("gone")
print(logging.getLogger() is logging.root, repr(logging.root))
