/// Standard modules written in Python, compiled from this source the first time they are
/// imported: collections, functools, dataclasses, copy, string, textwrap. They follow CPython's
/// behaviour and messages (and often its pure-Python implementations, simplified).
enum PythonSourceModules {
    static func register(into interp: Interpreter) {
        for (name, source) in sources {
            interp.registerModule(name) { interp in try load(interp, name: name, source: source) }
        }
    }

    /// Runs `source` as the body of a new module named `name`.
    static func load(_ interp: Interpreter, name: String, source: String) throws -> PyModule {
        guard let ctx = ExecContext.current, ctx.interpreter === interp else {
            throw PyError.importError("module '\(name)' can only be imported from Python code")
        }
        let module = PyModule(name: name, doc: nil)
        let stmts = try Parser.parseModule(source, firstLine: 1)
        let code = try Compiler.compileModule(stmts, filename: "<\(name)>", interactive: false)
        if let doc = Compiler.docstring(stmts) { module.define("__doc__", .str(doc)) }
        let frame = Frame(code: code, ctx: ctx, globals: module.globals)
        _ = try runBlock(code.body, frame)
        return module
    }

    static let sources: [(String, String)] = [
        ("collections", collectionsSource),
        ("functools", functoolsSource),
        ("dataclasses", dataclassesSource),
        ("copy", copySource),
        ("string", stringSource),
        ("textwrap", textwrapSource),
    ]
}

private let collectionsSource = #"""
    """Container datatypes."""
    from typing import Iterable as _Iterable


    def _repr_items(d):
        return ", ".join(repr(k) + ": " + repr(v) for k, v in d.items())


    class defaultdict(dict):
        """dict subclass that calls a factory function to supply missing values."""

        def __init__(self, default_factory=None, *args, **kwargs):
            if default_factory is not None and not callable(default_factory):
                raise TypeError("first argument must be callable or None")
            super().__init__(*args, **kwargs)
            self.default_factory = default_factory

        def __missing__(self, key):
            if self.default_factory is None:
                raise KeyError(key)
            value = self.default_factory()
            self[key] = value
            return value

        def __repr__(self):
            return f"defaultdict({self.default_factory!r}, {dict.__repr__(self)})"

        def copy(self):
            return defaultdict(self.default_factory, self)

        __copy__ = copy


    class Counter(dict):
        """Dict subclass for counting hashable items."""

        def __init__(self, iterable=None, /, **kwds):
            super().__init__()
            self.update(iterable, **kwds)

        def __missing__(self, key):
            return 0

        def total(self):
            return sum(self.values())

        def most_common(self, n=None):
            items = sorted(self.items(), key=lambda kv: kv[1], reverse=True)
            if n is None:
                return items
            return items[:max(n, 0)]

        def elements(self):
            for elem, count in self.items():
                for _ in range(count):
                    yield elem

        def update(self, iterable=None, /, **kwds):
            if iterable is not None:
                if isinstance(iterable, dict):
                    for elem, count in iterable.items():
                        self[elem] = self.get(elem, 0) + count
                else:
                    for elem in iterable:
                        self[elem] = self.get(elem, 0) + 1
            if kwds:
                self.update(kwds)

        def subtract(self, iterable=None, /, **kwds):
            if iterable is not None:
                if isinstance(iterable, dict):
                    for elem, count in iterable.items():
                        self[elem] = self.get(elem, 0) - count
                else:
                    for elem in iterable:
                        self[elem] = self.get(elem, 0) - 1
            if kwds:
                self.subtract(kwds)

        def copy(self):
            return Counter(self)

        def __delitem__(self, elem):
            if elem in self:
                dict.__delitem__(self, elem)

        def __repr__(self):
            if not self:
                return f"{type(self).__name__}()"
            items = ", ".join(f"{k!r}: {v!r}" for k, v in self.most_common())
            return f"{type(self).__name__}({{{items}}})"

        def __add__(self, other):
            if not isinstance(other, Counter):
                return NotImplemented
            result = Counter()
            for elem, count in self.items():
                newcount = count + other[elem]
                if newcount > 0:
                    result[elem] = newcount
            for elem, count in other.items():
                if elem not in self and count > 0:
                    result[elem] = count
            return result

        def __sub__(self, other):
            if not isinstance(other, Counter):
                return NotImplemented
            result = Counter()
            for elem, count in self.items():
                newcount = count - other[elem]
                if newcount > 0:
                    result[elem] = newcount
            for elem, count in other.items():
                if elem not in self and count < 0:
                    result[elem] = 0 - count
            return result

        def __or__(self, other):
            if not isinstance(other, Counter):
                return NotImplemented
            result = Counter()
            for elem, count in self.items():
                other_count = other[elem]
                newcount = other_count if count < other_count else count
                if newcount > 0:
                    result[elem] = newcount
            for elem, count in other.items():
                if elem not in self and count > 0:
                    result[elem] = count
            return result

        def __and__(self, other):
            if not isinstance(other, Counter):
                return NotImplemented
            result = Counter()
            for elem, count in self.items():
                other_count = other[elem]
                newcount = count if count < other_count else other_count
                if newcount > 0:
                    result[elem] = newcount
            return result

        def __eq__(self, other):
            if not isinstance(other, Counter):
                return NotImplemented
            return all(self[e] == other[e] for c in (self, other) for e in c)

        def __ne__(self, other):
            if not isinstance(other, Counter):
                return NotImplemented
            return not self == other


    class OrderedDict(dict):
        """Dictionary that remembers insertion order."""

        def move_to_end(self, key, last=True):
            value = self[key]
            if last:
                dict.__delitem__(self, key)
                dict.__setitem__(self, key, value)
            else:
                rest = [(k, v) for k, v in self.items() if k != key]
                dict.clear(self)
                dict.__setitem__(self, key, value)
                for k, v in rest:
                    dict.__setitem__(self, k, v)

        def popitem(self, last=True):
            if not self:
                raise KeyError("dictionary is empty")
            key = next(reversed(list(self))) if last else next(iter(self))
            value = dict.pop(self, key)
            return key, value

        def __repr__(self):
            if not self:
                return f"{type(self).__name__}()"
            return f"{type(self).__name__}({list(self.items())!r})"

        def __eq__(self, other):
            if isinstance(other, OrderedDict):
                return dict.__eq__(self, other) and list(self) == list(other)
            return dict.__eq__(self, other)

        def copy(self):
            return type(self)(self)


    class deque:
        """A list-like sequence optimized for appends and pops at either end."""

        def __init__(self, iterable=(), maxlen=None):
            if maxlen is not None:
                if not isinstance(maxlen, int):
                    raise TypeError("an integer is required")
                if maxlen < 0:
                    raise ValueError("maxlen must be non-negative")
            self._items = []
            self._maxlen = maxlen
            self.extend(iterable)

        @property
        def maxlen(self):
            return self._maxlen

        def _trim_left(self):
            if self._maxlen is not None and len(self._items) > self._maxlen:
                del self._items[:len(self._items) - self._maxlen]

        def _trim_right(self):
            if self._maxlen is not None and len(self._items) > self._maxlen:
                del self._items[self._maxlen:]

        def append(self, x):
            self._items.append(x)
            self._trim_left()

        def appendleft(self, x):
            self._items.insert(0, x)
            self._trim_right()

        def extend(self, iterable):
            for x in list(iterable):
                self.append(x)

        def extendleft(self, iterable):
            for x in list(iterable):
                self.appendleft(x)

        def pop(self):
            if not self._items:
                raise IndexError("pop from an empty deque")
            return self._items.pop()

        def popleft(self):
            if not self._items:
                raise IndexError("pop from an empty deque")
            return self._items.pop(0)

        def clear(self):
            self._items.clear()

        def copy(self):
            return deque(self._items, self._maxlen)

        def count(self, x):
            return self._items.count(x)

        def index(self, x, *args):
            try:
                return self._items.index(x, *args)
            except ValueError:
                raise ValueError(f"{x!r} is not in deque") from None

        def insert(self, i, x):
            if self._maxlen is not None and len(self._items) >= self._maxlen:
                raise IndexError("deque already at its maximum size")
            self._items.insert(i, x)

        def remove(self, value):
            try:
                self._items.remove(value)
            except ValueError:
                raise ValueError(f"{value!r} is not in deque") from None

        def reverse(self):
            self._items.reverse()

        def rotate(self, n=1):
            if self._items:
                n = n % len(self._items)
                if n:
                    self._items[:] = self._items[-n:] + self._items[:-n]

        def __len__(self):
            return len(self._items)

        def __iter__(self):
            return iter(self._items)

        def __reversed__(self):
            return reversed(self._items)

        def __contains__(self, x):
            return x in self._items

        def __getitem__(self, i):
            if isinstance(i, slice):
                raise TypeError("sequence index must be integer, not 'slice'")
            try:
                return self._items[i]
            except IndexError:
                raise IndexError("deque index out of range") from None

        def __setitem__(self, i, x):
            try:
                self._items[i] = x
            except IndexError:
                raise IndexError("deque index out of range") from None

        def __delitem__(self, i):
            try:
                del self._items[i]
            except IndexError:
                raise IndexError("deque index out of range") from None

        def __eq__(self, other):
            if not isinstance(other, deque):
                return NotImplemented
            return self._items == other._items

        def __bool__(self):
            return bool(self._items)

        def __add__(self, other):
            if not isinstance(other, deque):
                raise TypeError(f'can only concatenate deque (not "{type(other).__name__}") to deque')
            return deque(self._items + other._items, self._maxlen)

        def __iadd__(self, other):
            self.extend(other)
            return self

        def __repr__(self):
            if self._maxlen is None:
                return f"deque({self._items!r})"
            return f"deque({self._items!r}, maxlen={self._maxlen})"

        __hash__ = None


    def namedtuple(typename, field_names, *, rename=False, defaults=None, module=None):
        """Returns a new subclass of tuple with named fields."""
        if isinstance(field_names, str):
            field_names = field_names.replace(",", " ").split()
        field_names = [str(f) for f in field_names]
        typename = str(typename)
        for name in [typename] + field_names:
            if not name.isidentifier():
                raise ValueError(f"Type names and field names must be valid identifiers: {name!r}")
        seen = set()
        for name in field_names:
            if name.startswith("_") and not rename:
                raise ValueError(f"Field names cannot start with an underscore: {name!r}")
            if name in seen:
                raise ValueError(f"Encountered duplicate field name: {name!r}")
            seen.add(name)
        fields = tuple(field_names)
        count = len(fields)
        field_defaults = {}
        if defaults is not None:
            defaults = tuple(defaults)
            if len(defaults) > count:
                raise TypeError("Got more default values than field names")
            field_defaults = dict(zip(fields[count - len(defaults):], defaults))

        def __new__(cls, *args, **kwargs):
            if len(args) > count:
                raise TypeError(f"{typename}.__new__() takes {count + 1} positional arguments but {len(args) + 1} were given")
            values = list(args)
            for name in fields[len(args):]:
                if name in kwargs:
                    values.append(kwargs.pop(name))
                elif name in field_defaults:
                    values.append(field_defaults[name])
                else:
                    missing = [n for n in fields[len(values):] if n not in kwargs and n not in field_defaults]
                    quoted = [repr(n) for n in missing]
                    if len(quoted) == 1:
                        listed = quoted[0]
                    elif len(quoted) == 2:
                        listed = f"{quoted[0]} and {quoted[1]}"
                    else:
                        listed = ", ".join(quoted[:-1]) + ", and " + quoted[-1]
                    plural = "argument" if len(missing) == 1 else "arguments"
                    raise TypeError(f"{typename}.__new__() missing {len(missing)} required positional {plural}: {listed}")
            if kwargs:
                name = next(iter(kwargs))
                if name in fields:
                    raise TypeError(f"{typename}.__new__() got multiple values for argument {name!r}")
                raise TypeError(f"{typename}.__new__() got an unexpected keyword argument {name!r}")
            return tuple.__new__(cls, values)

        def __repr__(self):
            inner = ", ".join(f"{name}={value!r}" for name, value in zip(fields, self))
            return f"{type(self).__name__}({inner})"

        def _asdict(self):
            return dict(zip(fields, self))

        def _replace(self, **kwargs):
            values = [kwargs.pop(name, value) for name, value in zip(fields, self)]
            if kwargs:
                raise ValueError(f"Got unexpected field names: {list(kwargs)!r}")
            return type(self)(*values)

        @classmethod
        def _make(cls, iterable):
            values = tuple(iterable)
            if len(values) != count:
                raise TypeError(f"Expected {count} arguments, got {len(values)}")
            return cls(*values)

        def __getnewargs__(self):
            return tuple(self)

        namespace = {
            "__new__": __new__,
            "__repr__": __repr__,
            "_asdict": _asdict,
            "_replace": _replace,
            "_make": _make,
            "__getnewargs__": __getnewargs__,
            "_fields": fields,
            "_field_defaults": field_defaults,
            "__slots__": (),
            "__match_args__": fields,
            "__module__": module if module is not None else "__main__",
        }
        for index, name in enumerate(fields):
            namespace[name] = property(lambda self, index=index: self[index], doc=f"Alias for field number {index}")
        return type(typename, (tuple,), namespace)


    class ChainMap:
        """A ChainMap groups multiple dicts (or other mappings) together."""

        def __init__(self, *maps):
            self.maps = list(maps) or [{}]

        def __getitem__(self, key):
            for mapping in self.maps:
                if key in mapping:
                    return mapping[key]
            raise KeyError(key)

        def get(self, key, default=None):
            return self[key] if key in self else default

        def __contains__(self, key):
            return any(key in m for m in self.maps)

        def __len__(self):
            return len(set().union(*self.maps))

        def __iter__(self):
            seen = {}
            for mapping in reversed(self.maps):
                for k in mapping:
                    seen[k] = None
            return iter(seen)

        def __setitem__(self, key, value):
            self.maps[0][key] = value

        def __delitem__(self, key):
            del self.maps[0][key]

        def keys(self):
            return list(self)

        def items(self):
            return [(k, self[k]) for k in self]

        def values(self):
            return [self[k] for k in self]

        def new_child(self, m=None):
            return ChainMap({} if m is None else m, *self.maps)

        @property
        def parents(self):
            return ChainMap(*self.maps[1:])

        def __repr__(self):
            return f"ChainMap({', '.join(map(repr, self.maps))})"
    """#

private let functoolsSource = #"""
    """Higher-order functions and operations on callable objects."""

    WRAPPER_ASSIGNMENTS = ("__module__", "__name__", "__qualname__", "__doc__")
    WRAPPER_UPDATES = ("__dict__",)
    _initial_missing = object()


    def reduce(function, sequence, initial=_initial_missing):
        """reduce(function, iterable[, initial]) -> value"""
        it = iter(sequence)
        if initial is _initial_missing:
            try:
                value = next(it)
            except StopIteration:
                raise TypeError("reduce() of empty iterable with no initial value") from None
        else:
            value = initial
        for element in it:
            value = function(value, element)
        return value


    class partial:
        """New function with partial application of the given arguments and keywords."""

        def __init__(self, func, /, *args, **keywords):
            if not callable(func):
                raise TypeError("the first argument must be callable")
            if isinstance(func, partial):
                args = func.args + args
                keywords = {**func.keywords, **keywords}
                func = func.func
            self.func = func
            self.args = args
            self.keywords = keywords

        def __call__(self, /, *args, **keywords):
            keywords = {**self.keywords, **keywords}
            return self.func(*self.args, *args, **keywords)

        def __repr__(self):
            parts = [repr(self.func)]
            parts.extend(repr(x) for x in self.args)
            parts.extend(f"{k}={v!r}" for k, v in self.keywords.items())
            return f"functools.partial({', '.join(parts)})"


    def update_wrapper(wrapper, wrapped, assigned=WRAPPER_ASSIGNMENTS, updated=WRAPPER_UPDATES):
        """Update a wrapper function to look like the wrapped function."""
        for attr in assigned:
            try:
                value = getattr(wrapped, attr)
            except AttributeError:
                pass
            else:
                setattr(wrapper, attr, value)
        for attr in updated:
            target = getattr(wrapper, attr, None)
            source = getattr(wrapped, attr, None)
            if target is not None and source is not None:
                target.update(source)
        wrapper.__wrapped__ = wrapped
        return wrapper


    def wraps(wrapped, assigned=WRAPPER_ASSIGNMENTS, updated=WRAPPER_UPDATES):
        """Decorator factory to apply update_wrapper() to a wrapper function."""
        return partial(update_wrapper, wrapped=wrapped, assigned=assigned, updated=updated)


    class _CacheInfo(tuple):
        def __new__(cls, hits, misses, maxsize, currsize):
            return tuple.__new__(cls, (hits, misses, maxsize, currsize))

        hits = property(lambda self: self[0])
        misses = property(lambda self: self[1])
        maxsize = property(lambda self: self[2])
        currsize = property(lambda self: self[3])

        def __repr__(self):
            return f"CacheInfo(hits={self[0]!r}, misses={self[1]!r}, maxsize={self[2]!r}, currsize={self[3]!r})"


    def _make_key(args, kwds, typed):
        key = args
        if kwds:
            key += (_kwd_mark,)
            for item in kwds.items():
                key += item
        if typed:
            key += tuple(type(v) for v in args)
            if kwds:
                key += tuple(type(v) for v in kwds.values())
        return key


    _kwd_mark = object()


    class _lru_cache_wrapper:
        def __init__(self, func, maxsize, typed):
            self.__wrapped__ = func
            self._maxsize = maxsize
            self._typed = typed
            self._cache = {}
            self._hits = 0
            self._misses = 0
            update_wrapper(self, func)

        def __call__(self, *args, **kwds):
            key = _make_key(args, kwds, self._typed)
            cache = self._cache
            if key in cache:
                self._hits += 1
                value = cache.pop(key)
                cache[key] = value
                return value
            self._misses += 1
            value = self.__wrapped__(*args, **kwds)
            if self._maxsize is None or self._maxsize > 0:
                cache[key] = value
                if self._maxsize is not None and len(cache) > self._maxsize:
                    del cache[next(iter(cache))]
            return value

        def cache_info(self):
            return _CacheInfo(self._hits, self._misses, self._maxsize, len(self._cache))

        def cache_clear(self):
            self._cache.clear()
            self._hits = 0
            self._misses = 0

        def cache_parameters(self):
            return {"maxsize": self._maxsize, "typed": self._typed}

        def __get__(self, instance, owner=None):
            if instance is None:
                return self
            return partial(self, instance)

        def __repr__(self):
            return f"<functools._lru_cache_wrapper object at {id(self):#x}>"


    def lru_cache(maxsize=128, typed=False):
        """Least-recently-used cache decorator."""
        if isinstance(maxsize, int):
            if maxsize < 0:
                maxsize = 0
        elif callable(maxsize) and isinstance(typed, bool):
            return _lru_cache_wrapper(maxsize, 128, typed)
        elif maxsize is not None:
            raise TypeError("Expected first argument to be an integer, a callable, or None")

        def decorating_function(user_function):
            return _lru_cache_wrapper(user_function, maxsize, typed)
        return decorating_function


    def cache(user_function, /):
        """Simple lightweight unbounded cache.  Sometimes called "memoize"."""
        return _lru_cache_wrapper(user_function, None, False)


    def cmp_to_key(mycmp):
        """Convert a cmp= function into a key= function."""
        class K:
            __slots__ = ["obj"]

            def __init__(self, obj):
                self.obj = obj

            def __lt__(self, other):
                return mycmp(self.obj, other.obj) < 0

            def __gt__(self, other):
                return mycmp(self.obj, other.obj) > 0

            def __eq__(self, other):
                return mycmp(self.obj, other.obj) == 0

            def __le__(self, other):
                return mycmp(self.obj, other.obj) <= 0

            def __ge__(self, other):
                return mycmp(self.obj, other.obj) >= 0

            __hash__ = None
        return K


    def total_ordering(cls):
        """Class decorator that fills in missing ordering methods."""
        defined = [op for op in ("__lt__", "__le__", "__gt__", "__ge__") if op in cls.__dict__]
        if not defined:
            raise ValueError("must define at least one ordering operation: < > <= >=")
        root = defined[0]
        if root == "__lt__":
            derived = {
                "__gt__": lambda self, other: _not_op_and_not_eq(self.__lt__, self, other),
                "__le__": lambda self, other: _op_or_eq(self.__lt__, self, other),
                "__ge__": lambda self, other: _not_op(self.__lt__, other),
            }
        elif root == "__le__":
            derived = {
                "__ge__": lambda self, other: _not_op_or_eq(self.__le__, self, other),
                "__lt__": lambda self, other: _op_and_not_eq(self.__le__, self, other),
                "__gt__": lambda self, other: _not_op(self.__le__, other),
            }
        elif root == "__gt__":
            derived = {
                "__lt__": lambda self, other: _not_op_and_not_eq(self.__gt__, self, other),
                "__ge__": lambda self, other: _op_or_eq(self.__gt__, self, other),
                "__le__": lambda self, other: _not_op(self.__gt__, other),
            }
        else:
            derived = {
                "__le__": lambda self, other: _not_op_or_eq(self.__ge__, self, other),
                "__gt__": lambda self, other: _op_and_not_eq(self.__ge__, self, other),
                "__lt__": lambda self, other: _not_op(self.__ge__, other),
            }
        for name, method in derived.items():
            if name not in defined:
                method.__name__ = name
                setattr(cls, name, method)
        return cls


    def _not_op(op, other):
        result = op(other)
        if result is NotImplemented:
            return result
        return not result


    def _op_or_eq(op, self, other):
        result = op(other)
        if result is NotImplemented:
            return result
        return result or self == other


    def _not_op_and_not_eq(op, self, other):
        result = op(other)
        if result is NotImplemented:
            return result
        return not result and self != other


    def _not_op_or_eq(op, self, other):
        result = op(other)
        if result is NotImplemented:
            return result
        return not result or self == other


    def _op_and_not_eq(op, self, other):
        result = op(other)
        if result is NotImplemented:
            return result
        return result and self != other


    class cached_property:
        """A property computed once per instance, then kept as an instance attribute."""

        def __init__(self, func):
            self.func = func
            self.attrname = None
            self.__doc__ = func.__doc__

        def __set_name__(self, owner, name):
            self.attrname = name

        def __get__(self, instance, owner=None):
            if instance is None:
                return self
            name = self.attrname or self.func.__name__
            if name in instance.__dict__:
                return instance.__dict__[name]
            value = self.func(instance)
            instance.__dict__[name] = value
            return value
    """#

private let dataclassesSource = #"""
    """Generate special methods (__init__, __repr__, __eq__...) for classes with annotated fields."""
    import copy as _copy


    class FrozenInstanceError(AttributeError):
        pass


    class _MISSING_TYPE:
        def __repr__(self):
            return "MISSING"


    MISSING = _MISSING_TYPE()


    class _KW_ONLY_TYPE:
        pass


    KW_ONLY = _KW_ONLY_TYPE()


    class InitVar:
        def __init__(self, type):
            self.type = type

        def __class_getitem__(cls, type):
            return InitVar(type)


    class Field:
        def __init__(self, default, default_factory, init, repr, hash, compare, metadata, kw_only):
            self.name = None
            self.type = None
            self.default = default
            self.default_factory = default_factory
            self.init = init
            self.repr = repr
            self.hash = hash
            self.compare = compare
            self.metadata = {} if metadata is None else metadata
            self.kw_only = kw_only

        def __repr__(self):
            return (f"Field(name={self.name!r},type={self.type!r},default={self.default!r},"
                    f"default_factory={self.default_factory!r},init={self.init!r},repr={self.repr!r},"
                    f"hash={self.hash!r},compare={self.compare!r},metadata={self.metadata!r},"
                    f"kw_only={self.kw_only!r},_field_type=_FIELD)")


    def field(*, default=MISSING, default_factory=MISSING, init=True, repr=True, hash=None, compare=True,
              metadata=None, kw_only=MISSING):
        """Return an object to identify dataclass fields."""
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("cannot specify both default and default_factory")
        return Field(default, default_factory, init, repr, hash, compare, metadata, kw_only)


    def _is_classvar(annotation):
        return repr(annotation).startswith("typing.ClassVar") or annotation == "ClassVar"


    def _listed(names):
        quoted = [repr(n) for n in names]
        if len(quoted) == 1:
            return quoted[0]
        if len(quoted) == 2:
            return f"{quoted[0]} and {quoted[1]}"
        return ", ".join(quoted[:-1]) + ", and " + quoted[-1]


    def _make_init(cls, fields, frozen):
        init_fields = [f for f in fields if f.init]
        positional = [f for f in init_fields if not f.kw_only]
        keyword_only = [f for f in init_fields if f.kw_only]
        qualname = cls.__qualname__ + ".__init__"
        has_post_init = hasattr(cls, "__post_init__")
        init_vars = [f.name for f in init_fields if isinstance(f.type, InitVar)]

        def __init__(self, *args, **kwargs):
            if len(args) > len(positional):
                required = len([f for f in positional if f.default is MISSING and f.default_factory is MISSING])
                if required == len(positional):
                    takes = f"{len(positional) + 1} positional argument" + ("" if not positional else "s")
                else:
                    takes = f"from {required + 1} to {len(positional) + 1} positional arguments"
                raise TypeError(f"{qualname}() takes {takes} but {len(args) + 1} were given")
            values = {}
            for f, value in zip(positional, args):
                values[f.name] = value
            for name, value in kwargs.items():
                known = [f for f in init_fields if f.name == name]
                if not known:
                    raise TypeError(f"{qualname}() got an unexpected keyword argument {name!r}")
                if name in values:
                    raise TypeError(f"{qualname}() got multiple values for argument {name!r}")
                values[name] = value
            for group, kind in ((positional, "positional"), (keyword_only, "keyword-only")):
                missing = [f.name for f in group if f.name not in values and f.default is MISSING
                           and f.default_factory is MISSING]
                if missing:
                    plural = "argument" if len(missing) == 1 else "arguments"
                    raise TypeError(f"{qualname}() missing {len(missing)} required {kind} {plural}: {_listed(missing)}")
            for f in fields:
                if isinstance(f.type, InitVar):
                    continue
                if f.name in values:
                    value = values[f.name]
                elif f.default_factory is not MISSING:
                    value = f.default_factory()
                elif f.default is not MISSING:
                    value = f.default
                else:
                    continue
                if frozen:
                    object.__setattr__(self, f.name, value)
                else:
                    setattr(self, f.name, value)
            if has_post_init:
                extra = [values.get(n, _default_of(fields, n)) for n in init_vars]
                self.__post_init__(*extra)

        __init__.__qualname__ = qualname
        return __init__


    def _default_of(fields, name):
        for f in fields:
            if f.name == name:
                return f.default
        return None


    def _process_class(cls, init, repr, eq, order, unsafe_hash, frozen, kw_only):
        fields = {}
        for base in cls.__mro__[-1:0:-1]:
            base_fields = getattr(base, "__dataclass_fields__", None)
            if base_fields is not None:
                for f in base_fields.values():
                    fields[f.name] = f
        annotations = cls.__dict__.get("__annotations__", {})
        own = []
        kw_only_now = kw_only
        for name, annotation in annotations.items():
            if _is_classvar(annotation):
                continue
            if isinstance(annotation, _KW_ONLY_TYPE) or annotation is KW_ONLY:
                kw_only_now = True
                continue
            default = cls.__dict__.get(name, MISSING)
            if isinstance(default, Field):
                f = default
            else:
                f = field(default=default)
            f.name = name
            f.type = annotation
            if f.kw_only is MISSING:
                f.kw_only = kw_only_now
            if f.default is not MISSING and type(f.default) in (list, dict, set):
                raise ValueError(f"mutable default {type(f.default)} for field {name} is not allowed: use default_factory")
            if isinstance(default, Field):
                if f.default is MISSING:
                    delattr(cls, name)
                else:
                    setattr(cls, name, f.default)
            fields[name] = f
            own.append(f)
        for name, value in cls.__dict__.items():
            if isinstance(value, Field) and name not in annotations:
                raise TypeError(f"{name!r} is a field but has no type annotation")
        all_fields = list(fields.values())
        seen_default = None
        for f in all_fields:
            if f.init and not f.kw_only:
                if f.default is MISSING and f.default_factory is MISSING:
                    if seen_default is not None:
                        raise TypeError(f"non-default argument {f.name!r} follows default argument")
                else:
                    seen_default = f
        cls.__dataclass_fields__ = fields
        cls.__dataclass_params__ = {"init": init, "repr": repr, "eq": eq, "order": order, "frozen": frozen}
        real = [f for f in all_fields if not isinstance(f.type, InitVar)]
        if init and "__init__" not in cls.__dict__:
            cls.__init__ = _make_init(cls, all_fields, frozen)
        if repr and "__repr__" not in cls.__dict__:
            shown = [f.name for f in real if f.repr]

            def __repr__(self):
                inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
                return f"{type(self).__qualname__}({inner})"
            cls.__repr__ = __repr__
        compared = [f.name for f in real if f.compare]

        def astuple_of(obj):
            return tuple(getattr(obj, name) for name in compared)
        if eq and "__eq__" not in cls.__dict__:
            def __eq__(self, other):
                if other.__class__ is self.__class__:
                    return astuple_of(self) == astuple_of(other)
                return NotImplemented
            cls.__eq__ = __eq__
        if order:
            for name, test in (("__lt__", lambda a, b: a < b), ("__le__", lambda a, b: a <= b),
                               ("__gt__", lambda a, b: a > b), ("__ge__", lambda a, b: a >= b)):
                if name in cls.__dict__:
                    raise TypeError(f"Cannot overwrite attribute {name} in class {cls.__name__}. "
                                    f"Consider using functools.total_ordering")

                def compare(self, other, test=test):
                    if other.__class__ is self.__class__:
                        return test(astuple_of(self), astuple_of(other))
                    return NotImplemented
                compare.__name__ = name
                setattr(cls, name, compare)
        if frozen:
            def __setattr__(self, name, value):
                if type(self) is cls or name in fields:
                    raise FrozenInstanceError(f"cannot assign to field {name!r}")
                super(cls, self).__setattr__(name, value)

            def __delattr__(self, name):
                if type(self) is cls or name in fields:
                    raise FrozenInstanceError(f"cannot delete field {name!r}")
                super(cls, self).__delattr__(name)
            cls.__setattr__ = __setattr__
            cls.__delattr__ = __delattr__
        hashed = [f.name for f in real if (f.compare if f.hash is None else f.hash)]
        if unsafe_hash or (eq and frozen):
            cls.__hash__ = lambda self: hash(tuple(getattr(self, name) for name in hashed))
        elif eq and "__hash__" not in cls.__dict__:
            cls.__hash__ = None
        cls.__match_args__ = tuple(f.name for f in all_fields if f.init and not f.kw_only)
        return cls


    def dataclass(cls=None, /, *, init=True, repr=True, eq=True, order=False, unsafe_hash=False, frozen=False,
                  match_args=True, kw_only=False, slots=False, weakref_slot=False):
        """Add dunder methods based on the fields defined in the class."""
        if order and not eq:
            raise ValueError("eq must be true if order is true")

        def wrap(cls):
            return _process_class(cls, init, repr, eq, order, unsafe_hash, frozen, kw_only)
        if cls is None:
            return wrap
        return wrap(cls)


    def fields(class_or_instance):
        """Return a tuple describing the fields of this dataclass."""
        try:
            found = class_or_instance.__dataclass_fields__
        except AttributeError:
            raise TypeError("must be called with a dataclass type or instance") from None
        return tuple(f for f in found.values() if not isinstance(f.type, InitVar))


    def is_dataclass(obj):
        """Returns True if obj is a dataclass or an instance of a dataclass."""
        cls = obj if isinstance(obj, type) else type(obj)
        return hasattr(cls, "__dataclass_fields__")


    def _is_dataclass_instance(obj):
        return hasattr(type(obj), "__dataclass_fields__")


    def asdict(obj, *, dict_factory=dict):
        """Return the fields of a dataclass instance as a new dictionary mapping field names to values."""
        if not _is_dataclass_instance(obj):
            raise TypeError("asdict() should be called on dataclass instances")
        return _asdict_inner(obj, dict_factory)


    def _asdict_inner(obj, dict_factory):
        if _is_dataclass_instance(obj):
            return dict_factory([(f.name, _asdict_inner(getattr(obj, f.name), dict_factory)) for f in fields(obj)])
        if isinstance(obj, tuple) and hasattr(obj, "_fields"):
            return type(obj)(*[_asdict_inner(v, dict_factory) for v in obj])
        if isinstance(obj, (list, tuple)):
            return type(obj)(_asdict_inner(v, dict_factory) for v in obj)
        if isinstance(obj, dict):
            return type(obj)((_asdict_inner(k, dict_factory), _asdict_inner(v, dict_factory)) for k, v in obj.items())
        return _copy.deepcopy(obj)


    def astuple(obj, *, tuple_factory=tuple):
        """Return the fields of a dataclass instance as a new tuple of field values."""
        if not _is_dataclass_instance(obj):
            raise TypeError("astuple() should be called on dataclass instances")
        return _astuple_inner(obj, tuple_factory)


    def _astuple_inner(obj, tuple_factory):
        if _is_dataclass_instance(obj):
            return tuple_factory([_astuple_inner(getattr(obj, f.name), tuple_factory) for f in fields(obj)])
        if isinstance(obj, (list, tuple)):
            return type(obj)(_astuple_inner(v, tuple_factory) for v in obj)
        if isinstance(obj, dict):
            return type(obj)((_astuple_inner(k, tuple_factory), _astuple_inner(v, tuple_factory)) for k, v in obj.items())
        return _copy.deepcopy(obj)


    def replace(obj, /, **changes):
        """Return a new object replacing specified fields with new values."""
        if not _is_dataclass_instance(obj):
            raise TypeError("replace() should be called on dataclass instances")
        for f in obj.__dataclass_fields__.values():
            if not f.init:
                if f.name in changes:
                    raise ValueError(f"field {f.name} is declared with init=False, it cannot be specified with replace()")
                continue
            if f.name not in changes and not isinstance(f.type, InitVar):
                changes[f.name] = getattr(obj, f.name)
        return obj.__class__(**changes)
    """#

private let copySource = #"""
    """Generic (shallow and deep) copying operations."""


    class Error(Exception):
        pass


    error = Error
    _atomic_types = (type(None), int, float, bool, str, type, range, type(len), type(lambda: 0))


    def _is_atomic(x):
        return isinstance(x, _atomic_types)


    def _reconstruct_instance(x, state_copier):
        cls = type(x)
        y = cls.__new__(cls)
        if isinstance(x, dict):
            for k, v in x.items():
                dict.__setitem__(y, state_copier(k), state_copier(v))
        elif isinstance(x, list):
            list.extend(y, [state_copier(v) for v in x])
        elif isinstance(x, set):
            set.update(y, [state_copier(v) for v in x])
        state = getattr(x, "__dict__", None)
        if state:
            for k, v in state.items():
                object.__setattr__(y, k, state_copier(v))
        return y


    def copy(x):
        """Shallow copy operation on arbitrary Python objects."""
        cls = type(x)
        copier = getattr(cls, "__copy__", None)
        if copier is not None:
            return copier(x)
        if _is_atomic(x) or cls in (tuple, frozenset):
            return x
        if cls is list:
            return x[:]
        if cls is dict:
            return dict(x)
        if cls is set:
            return set(x)
        if isinstance(x, tuple):
            return x
        return _reconstruct_instance(x, lambda v: v)


    def deepcopy(x, memo=None):
        """Deep copy operation on arbitrary Python objects."""
        if memo is None:
            memo = {}
        key = id(x)
        if key in memo:
            return memo[key]
        cls = type(x)
        if _is_atomic(x):
            return x
        copier = getattr(x, "__deepcopy__", None)
        if copier is not None and not isinstance(x, type):
            y = copier(memo)
        elif cls is list:
            y = []
            memo[key] = y
            for v in x:
                y.append(deepcopy(v, memo))
        elif cls is dict:
            y = {}
            memo[key] = y
            for k, v in x.items():
                y[deepcopy(k, memo)] = deepcopy(v, memo)
        elif cls is set:
            y = {deepcopy(v, memo) for v in x}
        elif cls is tuple:
            items = [deepcopy(v, memo) for v in x]
            if key in memo:
                return memo[key]
            y = x if all(a is b for a, b in zip(items, x)) else tuple(items)
        elif cls is frozenset:
            y = frozenset(deepcopy(v, memo) for v in x)
        elif isinstance(x, tuple):
            items = [deepcopy(v, memo) for v in x]
            y = cls.__new__(cls, *items) if hasattr(cls, "_fields") else cls.__new__(cls, items)
            state = getattr(x, "__dict__", None)
            if state:
                for k, v in state.items():
                    object.__setattr__(y, k, deepcopy(v, memo))
        else:
            y = cls.__new__(cls)
            memo[key] = y
            if isinstance(x, dict):
                for k, v in x.items():
                    dict.__setitem__(y, deepcopy(k, memo), deepcopy(v, memo))
            elif isinstance(x, list):
                list.extend(y, [deepcopy(v, memo) for v in x])
            elif isinstance(x, set):
                set.update(y, [deepcopy(v, memo) for v in x])
            state = getattr(x, "__dict__", None)
            if state:
                for k, v in state.items():
                    object.__setattr__(y, k, deepcopy(v, memo))
        memo[key] = y
        return y
    """#

private let stringSource = #"""
    """A collection of string constants."""
    whitespace = " \t\n\r\v\f"
    ascii_lowercase = "abcdefghijklmnopqrstuvwxyz"
    ascii_uppercase = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    ascii_letters = ascii_lowercase + ascii_uppercase
    digits = "0123456789"
    hexdigits = digits + "abcdef" + "ABCDEF"
    octdigits = "01234567"
    punctuation = r"""!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~"""
    printable = digits + ascii_letters + punctuation + whitespace


    def capwords(s, sep=None):
        """Split the argument into words using split, capitalize each word using capitalize, and join."""
        return (sep or " ").join(word.capitalize() for word in s.split(sep))


    class Formatter:
        def format(self, format_string, /, *args, **kwargs):
            return format_string.format(*args, **kwargs)
    """#

private let textwrapSource = #"""
    """Text wrapping and filling."""
    import re

    _whitespace = "\t\n\x0b\x0c\r "


    class TextWrapper:
        """Object for wrapping/filling text (the greedy algorithm of CPython's TextWrapper)."""

        def __init__(self, width=70, initial_indent="", subsequent_indent="", expand_tabs=True,
                     replace_whitespace=True, fix_sentence_endings=False, break_long_words=True,
                     drop_whitespace=True, break_on_hyphens=True, tabsize=8, *, max_lines=None,
                     placeholder=" [...]"):
            self.width = width
            self.initial_indent = initial_indent
            self.subsequent_indent = subsequent_indent
            self.expand_tabs = expand_tabs
            self.replace_whitespace = replace_whitespace
            self.fix_sentence_endings = fix_sentence_endings
            self.break_long_words = break_long_words
            self.drop_whitespace = drop_whitespace
            self.break_on_hyphens = break_on_hyphens
            self.tabsize = tabsize
            self.max_lines = max_lines
            self.placeholder = placeholder

        def _munge_whitespace(self, text):
            if self.expand_tabs:
                text = text.expandtabs(self.tabsize)
            if self.replace_whitespace:
                for ch in _whitespace:
                    text = text.replace(ch, " ")
            return text

        def _split(self, text):
            # Whitespace runs are chunks of their own; words split after hyphens between letters.
            chunks = [c for c in re.split(r"(\s+)", text) if c]
            if not self.break_on_hyphens:
                return chunks
            out = []
            for chunk in chunks:
                if chunk.isspace():
                    out.append(chunk)
                    continue
                pieces = re.split(r"(?<=[a-zA-Z]-)(?=[a-zA-Z])", chunk)
                out.extend(p for p in pieces if p)
            return out

        def _fix_sentence_endings(self, chunks):
            i = 0
            while i < len(chunks) - 1:
                if chunks[i + 1] == " " and re.search(r"[a-z][\.\!\?][\"\']?\Z", chunks[i]):
                    chunks[i + 1] = "  "
                    i += 2
                else:
                    i += 1

        def _handle_long_word(self, reversed_chunks, cur_line, cur_len, width):
            space_left = 1 if width < 1 else width - cur_len
            if self.break_long_words:
                end = space_left
                chunk = reversed_chunks[-1]
                if self.break_on_hyphens and len(chunk) > space_left:
                    hyphen = chunk.rfind("-", 0, space_left)
                    if hyphen > 0 and any(c != "-" for c in chunk[:hyphen]):
                        end = hyphen + 1
                cur_line.append(chunk[:end])
                reversed_chunks[-1] = chunk[end:]
            elif not cur_line:
                cur_line.append(reversed_chunks.pop())

        def _wrap_chunks(self, chunks):
            lines = []
            if self.width <= 0:
                raise ValueError("invalid width %r (must be > 0)" % self.width)
            if self.max_lines is not None:
                indent = self.subsequent_indent if self.max_lines > 1 else self.initial_indent
                if len(indent) + len(self.placeholder.lstrip()) > self.width:
                    raise ValueError("placeholder too large for max width")
            chunks.reverse()
            while chunks:
                cur_line = []
                cur_len = 0
                indent = self.subsequent_indent if lines else self.initial_indent
                width = self.width - len(indent)
                if self.drop_whitespace and chunks[-1].strip() == "" and lines:
                    del chunks[-1]
                while chunks:
                    length = len(chunks[-1])
                    if cur_len + length <= width:
                        cur_line.append(chunks.pop())
                        cur_len += length
                    else:
                        break
                if chunks and len(chunks[-1]) > width:
                    self._handle_long_word(chunks, cur_line, cur_len, width)
                    cur_len = sum(map(len, cur_line))
                if self.drop_whitespace and cur_line and cur_line[-1].strip() == "":
                    cur_len -= len(cur_line[-1])
                    del cur_line[-1]
                if cur_line:
                    if (self.max_lines is None or len(lines) + 1 < self.max_lines
                            or (not chunks or self.drop_whitespace and len(chunks) == 1 and not chunks[0].strip())
                            and cur_len <= width):
                        lines.append(indent + "".join(cur_line))
                    else:
                        while cur_line:
                            if cur_line[-1].strip() and cur_len + len(self.placeholder) <= width:
                                cur_line.append(self.placeholder)
                                lines.append(indent + "".join(cur_line))
                                break
                            cur_len -= len(cur_line[-1])
                            del cur_line[-1]
                        else:
                            if lines:
                                prev_line = lines[-1].rstrip()
                                if len(prev_line) + len(self.placeholder) <= self.width:
                                    lines[-1] = prev_line + self.placeholder
                                    break
                            lines.append(indent + self.placeholder.lstrip())
                        break
            return lines

        def wrap(self, text):
            chunks = self._split(self._munge_whitespace(text))
            if self.fix_sentence_endings:
                self._fix_sentence_endings(chunks)
            return self._wrap_chunks(chunks)

        def fill(self, text):
            return "\n".join(self.wrap(text))


    def wrap(text, width=70, **kwargs):
        """Wrap a single paragraph of text, returning a list of wrapped lines."""
        return TextWrapper(width=width, **kwargs).wrap(text)


    def fill(text, width=70, **kwargs):
        """Fill a single paragraph of text, returning a new string."""
        return TextWrapper(width=width, **kwargs).fill(text)


    def shorten(text, width, **kwargs):
        """Collapse and truncate the given text to fit in the given width."""
        w = TextWrapper(width=width, max_lines=1, **kwargs)
        return w.fill(" ".join(text.strip().split()))


    def dedent(text):
        """Remove any common leading whitespace from every line in text."""
        lines = text.split("\n")
        margin = None
        for line in lines:
            stripped = line.lstrip(" \t")
            if not stripped:
                continue
            indent = line[:len(line) - len(stripped)]
            if margin is None:
                margin = indent
            elif indent.startswith(margin):
                pass
            elif margin.startswith(indent):
                margin = indent
            else:
                common = 0
                for a, b in zip(margin, indent):
                    if a != b:
                        break
                    common += 1
                margin = margin[:common]
        out = []
        for line in lines:
            if not line.strip(" \t"):
                out.append("")
            elif margin:
                out.append(line[len(margin):])
            else:
                out.append(line)
        return "\n".join(out)


    def indent(text, prefix, predicate=None):
        """Adds 'prefix' to the beginning of selected lines in 'text'."""
        if predicate is None:
            def predicate(line):
                return line.strip()
        return "".join(prefix + line if predicate(line) else line for line in text.splitlines(True))
    """#
