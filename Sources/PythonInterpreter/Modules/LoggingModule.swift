/// `logging`, the parts scripts and notebooks use: named loggers in a dotted hierarchy with
/// levels, handlers and formatters, `basicConfig`, the module-level helpers, and CPython's
/// "last resort" (a warning with no handler configured prints its bare message on stderr).
/// Compiled from Python source on first import, like the other source modules.
enum LoggingModule {
    static func register(into interp: Interpreter) {
        interp.registerModule("logging") { interp in try PythonSourceModules.load(interp, name: "logging", source: source) }
    }

    static let source = #"""
        """Logging facility for Python (the subset this shell provides)."""
        import sys
        import time as _time

        CRITICAL = 50
        FATAL = CRITICAL
        ERROR = 40
        WARNING = 30
        WARN = WARNING
        INFO = 20
        DEBUG = 10
        NOTSET = 0

        _levelToName = {CRITICAL: "CRITICAL", ERROR: "ERROR", WARNING: "WARNING", INFO: "INFO", DEBUG: "DEBUG", NOTSET: "NOTSET"}
        _nameToLevel = {"CRITICAL": CRITICAL, "FATAL": FATAL, "ERROR": ERROR, "WARN": WARNING, "WARNING": WARNING,
                        "INFO": INFO, "DEBUG": DEBUG, "NOTSET": NOTSET}

        BASIC_FORMAT = "%(levelname)s:%(name)s:%(message)s"


        def getLevelName(level):
            if level in _levelToName:
                return _levelToName[level]
            if level in _nameToLevel:
                return _nameToLevel[level]
            return "Level %s" % level


        def addLevelName(level, levelName):
            _levelToName[level] = levelName
            _nameToLevel[levelName] = level


        def _checkLevel(level):
            if isinstance(level, int):
                return level
            if str(level) == level:
                if level not in _nameToLevel:
                    raise ValueError("Unknown level: %r" % level)
                return _nameToLevel[level]
            raise TypeError("Level not an integer or a valid string: %r" % (level,))


        class LogRecord:
            def __init__(self, name, level, msg, args, exc_info=None):
                self.name = name
                self.levelno = level
                self.levelname = getLevelName(level)
                self.msg = msg
                if args and len(args) == 1 and isinstance(args[0], dict) and args[0]:
                    args = args[0]
                self.args = args
                self.exc_info = exc_info
                self.created = _time.time()
                self.msecs = int((self.created - int(self.created)) * 1000)

            def getMessage(self):
                msg = str(self.msg)
                if self.args:
                    msg = msg % self.args
                return msg

            def __repr__(self):
                return '<LogRecord: %s, %s, "%s">' % (self.name, self.levelno, self.msg)


        class Formatter:
            default_time_format = "%Y-%m-%d %H:%M:%S"

            def __init__(self, fmt=None, datefmt=None, style="%"):
                if style not in ("%", "{"):
                    raise ValueError("Style must be one of: %, {")
                self._style = style
                self._fmt = fmt if fmt is not None else ("%(message)s" if style == "%" else "{message}")
                self.datefmt = datefmt

            def formatTime(self, record, datefmt=None):
                if datefmt:
                    return _time.strftime(datefmt)
                return _time.strftime(self.default_time_format) + ",%03d" % record.msecs

            def usesTime(self):
                return "asctime" in self._fmt

            def format(self, record):
                record.message = record.getMessage()
                if self.usesTime():
                    record.asctime = self.formatTime(record, self.datefmt)
                values = dict(record.__dict__)
                if self._style == "{":
                    return self._fmt.format(**values)
                return self._fmt % values


        _defaultFormatter = Formatter()


        class Filterer:
            def __init__(self):
                self.filters = []

            def addFilter(self, filter):
                if filter not in self.filters:
                    self.filters.append(filter)

            def removeFilter(self, filter):
                if filter in self.filters:
                    self.filters.remove(filter)

            def filter(self, record):
                for f in self.filters:
                    result = f.filter(record) if hasattr(f, "filter") else f(record)
                    if not result:
                        return False
                return True


        class Filter:
            def __init__(self, name=""):
                self.name = name

            def filter(self, record):
                if not self.name or self.name == record.name:
                    return True
                return record.name.startswith(self.name + ".")


        class Handler(Filterer):
            def __init__(self, level=NOTSET):
                super().__init__()
                self.level = _checkLevel(level)
                self.formatter = None

            def setLevel(self, level):
                self.level = _checkLevel(level)

            def setFormatter(self, fmt):
                self.formatter = fmt

            def format(self, record):
                return (self.formatter or _defaultFormatter).format(record)

            def handle(self, record):
                if self.filter(record):
                    self.emit(record)
                    return True
                return False

            def emit(self, record):
                raise NotImplementedError("emit must be implemented by Handler subclasses")

            def flush(self):
                pass

            def close(self):
                pass


        class StreamHandler(Handler):
            terminator = "\n"

            def __init__(self, stream=None):
                super().__init__()
                self.stream = sys.stderr if stream is None else stream

            def emit(self, record):
                self.stream.write(self.format(record) + self.terminator)

            def setStream(self, stream):
                old, self.stream = self.stream, stream
                return old


        class NullHandler(Handler):
            def emit(self, record):
                pass


        class _StderrHandler(StreamHandler):
            """CPython's last resort: the bare message of a warning no handler took, on stderr."""

            def __init__(self):
                super().__init__()
                self.level = WARNING

            @property
            def stream(self):
                return sys.stderr

            @stream.setter
            def stream(self, value):
                pass


        lastResort = _StderrHandler()


        class _Manager:
            def __init__(self):
                self.loggers = {}
                self.disable = 0


        class Logger(Filterer):
            def __init__(self, name, level=NOTSET):
                super().__init__()
                self.name = name
                self.level = _checkLevel(level)
                self.parent = None
                self.propagate = True
                self.handlers = []
                self.disabled = False

            def setLevel(self, level):
                self.level = _checkLevel(level)

            def getEffectiveLevel(self):
                logger = self
                while logger:
                    if logger.level:
                        return logger.level
                    logger = logger.parent
                return NOTSET

            def isEnabledFor(self, level):
                if self.disabled or _manager.disable >= level:
                    return False
                return level >= self.getEffectiveLevel()

            def getChild(self, suffix):
                return getLogger(self.name + "." + suffix if self is not root else suffix)

            def addHandler(self, hdlr):
                if hdlr not in self.handlers:
                    self.handlers.append(hdlr)

            def removeHandler(self, hdlr):
                if hdlr in self.handlers:
                    self.handlers.remove(hdlr)

            def hasHandlers(self):
                logger = self
                while logger:
                    if logger.handlers:
                        return True
                    if not logger.propagate:
                        return False
                    logger = logger.parent
                return False

            def _log(self, level, msg, args, exc_info=None):
                record = LogRecord(self.name, level, msg, args, exc_info)
                if self.filter(record):
                    self.callHandlers(record)

            def callHandlers(self, record):
                logger = self
                found = 0
                while logger:
                    for hdlr in logger.handlers:
                        found = found + 1
                        if record.levelno >= hdlr.level:
                            hdlr.handle(record)
                    if not logger.propagate:
                        break
                    logger = logger.parent
                if found == 0 and record.levelno >= lastResort.level:
                    lastResort.handle(record)

            def debug(self, msg, *args, **kwargs):
                if self.isEnabledFor(DEBUG):
                    self._log(DEBUG, msg, args)

            def info(self, msg, *args, **kwargs):
                if self.isEnabledFor(INFO):
                    self._log(INFO, msg, args)

            def warning(self, msg, *args, **kwargs):
                if self.isEnabledFor(WARNING):
                    self._log(WARNING, msg, args)

            warn = warning

            def error(self, msg, *args, **kwargs):
                if self.isEnabledFor(ERROR):
                    self._log(ERROR, msg, args)

            def exception(self, msg, *args, exc_info=True, **kwargs):
                if self.isEnabledFor(ERROR):
                    self._log(ERROR, msg, args, exc_info)

            def critical(self, msg, *args, **kwargs):
                if self.isEnabledFor(CRITICAL):
                    self._log(CRITICAL, msg, args)

            fatal = critical

            def log(self, level, msg, *args, **kwargs):
                if not isinstance(level, int):
                    raise TypeError("level must be an integer")
                if self.isEnabledFor(level):
                    self._log(level, msg, args)

            def __repr__(self):
                return "<%s %s (%s)>" % (self.__class__.__name__, self.name, getLevelName(self.getEffectiveLevel()))


        class RootLogger(Logger):
            def __init__(self, level):
                super().__init__("root", level)

            def __repr__(self):
                return "<RootLogger root (%s)>" % getLevelName(self.getEffectiveLevel())


        _manager = _Manager()
        root = RootLogger(WARNING)
        Logger.root = root
        Logger.manager = _manager


        def getLogger(name=None):
            if not name or name == root.name:
                return root
            if name in _manager.loggers:
                return _manager.loggers[name]
            logger = Logger(name)
            _manager.loggers[name] = logger
            # The nearest existing ancestor is the parent; existing descendants move under the new one.
            parts = name.split(".")
            logger.parent = root
            for i in range(len(parts) - 1, 0, -1):
                ancestor = ".".join(parts[:i])
                if ancestor in _manager.loggers:
                    logger.parent = _manager.loggers[ancestor]
                    break
            for other in _manager.loggers.values():
                if other is not logger and other.name.startswith(name + ".") and (
                        other.parent is root or len(other.parent.name) < len(name)):
                    other.parent = logger
            return logger


        def basicConfig(**kwargs):
            force = kwargs.pop("force", False)
            if force:
                for h in root.handlers[:]:
                    root.removeHandler(h)
            if not root.handlers:
                handlers = kwargs.pop("handlers", None)
                stream = kwargs.pop("stream", None)
                if handlers is None:
                    handlers = [StreamHandler(stream)]
                fmt = kwargs.pop("format", BASIC_FORMAT)
                datefmt = kwargs.pop("datefmt", None)
                style = kwargs.pop("style", "%")
                formatter = Formatter(fmt, datefmt, style)
                for h in handlers:
                    if h.formatter is None:
                        h.setFormatter(formatter)
                    root.addHandler(h)
                level = kwargs.pop("level", None)
                if level is not None:
                    root.setLevel(level)
                if "filename" in kwargs:
                    raise PermissionError("writing files is not allowed in this shell (basicConfig(filename=...)); "
                                          "log to sys.stdout or sys.stderr")
                if kwargs:
                    raise ValueError("Unrecognised argument(s): %s" % ", ".join(kwargs))


        def disable(level=CRITICAL):
            _manager.disable = _checkLevel(level)


        def _ensure_configured():
            if not root.handlers:
                basicConfig()


        def debug(msg, *args, **kwargs):
            _ensure_configured()
            root.debug(msg, *args, **kwargs)


        def info(msg, *args, **kwargs):
            _ensure_configured()
            root.info(msg, *args, **kwargs)


        def warning(msg, *args, **kwargs):
            _ensure_configured()
            root.warning(msg, *args, **kwargs)


        warn = warning


        def error(msg, *args, **kwargs):
            _ensure_configured()
            root.error(msg, *args, **kwargs)


        def exception(msg, *args, exc_info=True, **kwargs):
            _ensure_configured()
            root.exception(msg, *args, exc_info=exc_info, **kwargs)


        def critical(msg, *args, **kwargs):
            _ensure_configured()
            root.critical(msg, *args, **kwargs)


        fatal = critical


        def log(level, msg, *args, **kwargs):
            _ensure_configured()
            root.log(level, msg, *args, **kwargs)

        """#
}
