/// User classes that derive from builtin types (`class Stack(list)`, `class Name(str)`).
///
/// Instances of subclasses of the mutable containers (list, dict, set) and of tuple are the
/// builtin objects themselves, with the user class as their type and an attribute dict. Ints,
/// floats and strings are inline ``PyValue`` cases that cannot carry a class, so an instance of
/// a subclass of one of them is a ``PyBoxedValue``; native methods receive the plain value.

/// An instance of a user subclass of str, int or float: the builtin value plus attributes.
public final class PyBoxedValue: PyInstance, @unchecked Sendable {
    /// The plain `.str`, `.int` (or big int) or `.float` value.
    public let value: PyValue

    init(cls: PyType, value: PyValue) {
        self.value = value
        super.init(cls: cls)
    }
}

extension PyValue {
    /// The builtin value inside an instance of a str/int/float subclass; other values as they are.
    @inline(__always)
    public var unboxed: PyValue {
        if case .object(let b as PyBoxedValue) = self { return b.value }
        return self
    }
}

enum BuiltinSubclasses {
    /// Makes list, dict, set, tuple, str, int and float subclassable (called once at start-up).
    static func install() {
        installContainer(Builtins.listType) { _ in
            PyList()
        } initialize: { ctx, me, a in
            guard let l = me.as(PyList.self) else { return }
            try a.check("list", min: 0, max: 1)
            l.items = a.count == 1 ? try ctx.iterateToArray(a[0]) : []
        }
        installContainer(Builtins.dictType) { _ in
            PyDict()
        } initialize: { ctx, me, a in
            guard let d = me.as(PyDict.self) else { return }
            try a.checkCount("dict", min: 0, max: 1)
            if a.count == 1 { for (k, v) in try ctx.mappingPairs(a[0]) { d.set(k, v) } }
            for (k, v) in a.keywords { d.setString(k, v) }
        }
        installContainer(Builtins.setType) { _ in
            PySet()
        } initialize: { ctx, me, a in
            guard let s = me.as(PySet.self) else { return }
            try a.check("set", min: 0, max: 1)
            s.removeAll()
            if a.count == 1 {
                try ctx.forEach(a[0]) {
                    s.insert(try PyKey.make($0, ctx)); return true
                }
            }
        }
        for t in [Builtins.strType, Builtins.intType, Builtins.floatType, Builtins.tupleType, Builtins.frozensetType] {
            installImmutable(t)
        }
        installStrComparisons(Builtins.strType)
    }

    /// A mutable container: allocated empty by `__new__`, filled by `__init__`.
    static func installContainer(
        _ t: PyType, make: @escaping @Sendable (PyType) -> PyObject,
        initialize: @escaping @Sendable (ExecContext, PyValue, Args) throws -> Void
    ) {
        t.native.subclassable = true
        t.native.makeInstance = { _, cls in
            let o = make(cls)
            o.type = cls
            setAttributes(o)
            return o
        }
        t.method("__init__", "__init__(self, /, *args, **kwargs)", doc: "Initialize self.") { ctx, s, a in
            try initialize(ctx, s, a)
            return .none
        }
    }

    static func setAttributes(_ o: PyObject) {
        switch o {
        case let l as PyList: l.attributes = PyDict()
        case let d as PyDict: d.attributes = PyDict()
        case let s as PySet: s.attributes = PyDict()
        case let t as PyTuple: t.attributes = PyDict()
        default: break
        }
    }

    /// An immutable type: `__new__` builds the value from the arguments, then wraps it in an
    /// instance of the subclass.
    static func installImmutable(_ t: PyType) {
        t.native.subclassable = true
        let newMethod = PyBuiltinFunction(
            "__new__", signature: "__new__(type, /, *args, **kwargs)",
            doc: "Create and return a new object."
        ) { ctx, a in
            guard case .object(let cls as PyType)? = a.positional.first else {
                throw PyError.type("\(t.name).__new__(X): X is not a type object")
            }
            guard cls.isSubtype(of: t) else {
                throw PyError.type("\(t.name).__new__(\(cls.name)): \(cls.name) is not a subtype of \(t.name)")
            }
            var rest = a
            rest.positional.removeFirst()
            guard let construct = t.native.construct else { throw PyError.type("cannot create '\(t.name)' instances") }
            let value = try construct(ctx, t, rest).unboxed
            if cls === t { return value }
            return wrap(value, as: cls)
        }
        t.define("__new__", .object(PyStaticMethod(.object(newMethod))))
    }

    /// The builtin value `value` as an instance of the subclass `cls`.
    static func wrap(_ value: PyValue, as cls: PyType) -> PyValue {
        switch value {
        case .object(let t as PyTuple):
            let copy = PyTuple(t.items)
            copy.type = cls
            copy.attributes = PyDict()
            return .object(copy)
        case .object(let s as PySet):
            let copy = s.copy()
            copy.type = cls
            copy.attributes = PyDict()
            return .object(copy)
        default:
            return .object(PyBoxedValue(cls: cls, value: value))
        }
    }

    /// Comparison and reflected operators that str lacks as named methods.
    static func installStrComparisons(_ t: PyType) {
        for (name, op) in [("__lt__", CompareOperator.lt), ("__le__", .ltE), ("__gt__", .gt), ("__ge__", .gtE)] {
            t.method(name) { ctx, s, a in
                guard case .str? = a.positional.first?.unboxed else { return Builtins.notImplemented }
                return .bool(try ctx.compare(s, a[0].unboxed, op))
            }
        }
        t.method("__ne__") { ctx, s, a in .bool(try !ctx.equals(s, a[0])) }
        t.method("__rmul__") { ctx, s, a in try ctx.binaryOp(.mul, a[0], s) }
        t.method("__radd__") { ctx, s, a in
            guard case .str(let other)? = a.positional.first?.unboxed, case .str(let me) = s else { return Builtins.notImplemented }
            return .str(other + me)
        }
        t.method("__iter__") { ctx, s, _ in .object(try ctx.iter(s)) }
    }
}

extension ExecContext {
    /// A special method that a user subclass of a builtin container defines over the builtin
    /// one (instances of plain user classes take the ordinary dunder paths instead).
    @inline(__always)
    func userOverride(_ v: PyValue, _ name: String) -> PyValue? {
        guard case .object(let o) = v, !o.type.isBuiltin, !(o is PyInstance) else { return nil }
        guard let m = o.type.lookup(name), !isBuiltinSlot(m) else { return nil }
        return m
    }
}
