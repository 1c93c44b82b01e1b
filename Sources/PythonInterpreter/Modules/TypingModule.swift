/// A `typing` special form (`Literal`, `List`, `Any`...), possibly subscripted
/// (`Literal['a', 'b']`, `List[str]`).
public final class PyTypingForm: PyObject, @unchecked Sendable {
    // Sendable proof: as PyObject (interpreter lock).
    public let name: String
    /// The subscript arguments, or nil when the form is used bare (`List`).
    public let args: [PyValue]?
    /// The builtin class a generic form stands for (`list` for `List`).
    public let origin: PyType?

    init(name: String, args: [PyValue]?, origin: PyType?) {
        self.name = name
        self.args = args
        self.origin = origin
        super.init(type: Builtins.typingFormType)
    }
}

enum TypingModule {
    static let generics: [(String, PyType?)] = [
        ("List", Builtins.listType), ("Dict", Builtins.dictType), ("Tuple", Builtins.tupleType), ("Set", Builtins.setType),
        ("FrozenSet", Builtins.frozensetType), ("Type", Builtins.typeType), ("Sequence", nil), ("Iterable", nil),
        ("Iterator", nil), ("Mapping", nil), ("MutableMapping", nil), ("Callable", nil), ("Generator", nil),
        ("AsyncIterator", nil), ("AsyncGenerator", nil), ("Awaitable", nil), ("Coroutine", nil), ("Collection", nil),
        ("Annotated", nil), ("ClassVar", nil), ("Final", nil), ("Required", nil), ("NotRequired", nil),
    ]

    static func make() -> PyModule {
        let m = PyModule(name: "typing", doc: "Support for type hints.")
        for name in ["Any", "Literal", "NoReturn", "Never", "Self"] {
            m.define(name, .object(PyTypingForm(name: name, args: nil, origin: nil)))
        }
        for (name, origin) in generics { m.define(name, .object(PyTypingForm(name: name, args: nil, origin: origin))) }
        m.define("Optional", .object(PyTypingForm(name: "Optional", args: nil, origin: nil)))
        m.define("Union", .object(PyTypingForm(name: "Union", args: nil, origin: nil)))
        m.define("TYPE_CHECKING", .false)
        m.define("Text", .object(Builtins.strType))
        m.function("cast", "cast(typ, val)", doc: "Cast a value to a type (returns the value unchanged).") { _, a in
            try a.check("cast", min: 2, max: 2)
            return a[1]
        }
        m.function("get_args", "get_args(tp)", doc: "Get type arguments with all substitutions performed.") { _, a in
            try a.check("get_args", min: 1, max: 1)
            if let f = a[0].as(PyTypingForm.self) { return .object(PyTuple(f.args ?? [])) }
            if let u = a[0].as(PyUnion.self) { return .object(PyTuple(u.members)) }
            if let g = a[0].as(PyGenericAlias.self) { return .object(PyTuple(g.args)) }
            return .object(PyTuple.empty)
        }
        m.function("get_origin", "get_origin(tp)", doc: "Get the unsubscripted version of a type.") { _, a in
            try a.check("get_origin", min: 1, max: 1)
            if let f = a[0].as(PyTypingForm.self) {
                guard f.args != nil else { return .none }
                if let o = f.origin { return .object(o) }
                return .object(PyTypingForm(name: f.name, args: nil, origin: nil))
            }
            if let u = a[0].as(PyUnion.self) {
                return u.fromTyping ? .object(PyTypingForm(name: "Union", args: nil, origin: nil)) : .object(Builtins.unionType)
            }
            if let g = a[0].as(PyGenericAlias.self) { return g.origin }
            return .none
        }
        m.function("overload", "overload(func)") { _, a in a.positional.first ?? .none }
        m.function("final", "final(f)") { _, a in a.positional.first ?? .none }
        m.function("TypeVar", "TypeVar(name, *constraints, bound=None)") { ctx, a in
            .object(PyTypingForm(name: try ctx.strArg(a.positional.first ?? .str("T"), "TypeVar"), args: nil, origin: nil))
        }
        m.function("get_type_hints", "get_type_hints(obj)") { ctx, a in
            try a.check("get_type_hints", min: 1, max: 1)
            return try ctx.lookupAttr(a[0], "__annotations__") ?? .object(PyDict())
        }
        return m
    }

    static func install(_ t: PyType) {
        t.method("__getitem__") { ctx, s, a in
            guard let f = s.as(PyTypingForm.self) else { return .none }
            let items = a[0].as(PyTuple.self)?.items ?? [a[0]]
            guard f.args == nil else { throw PyError.type("\(f.name) is already subscripted") }
            switch f.name {
            case "Optional":
                guard items.count == 1 else { throw PyError.type("typing.Optional requires a single type.") }
                return union(ctx, [items[0], .object(Builtins.noneType)])
            case "Union":
                return union(ctx, items)
            case "Any", "NoReturn", "Never", "Self":
                throw PyError.type("typing.\(f.name) is not subscriptable")
            default:
                return .object(PyTypingForm(name: f.name, args: items, origin: f.origin))
            }
        }
        t.method("__repr__") { ctx, s, _ in
            guard let f = s.as(PyTypingForm.self) else { return .str("") }
            guard let args = f.args else { return .str("typing.\(f.name)") }
            let parts = try args.map { f.name == "Literal" ? try ctx.repr($0) : try TypeRepr.describe(ctx, $0, nested: true) }
            return .str("typing.\(f.name)[" + parts.joined(separator: ", ") + "]")
        }
        t.method("__call__") { ctx, s, a in
            guard let f = s.as(PyTypingForm.self), let o = f.origin else { throw PyError.type("Type \(s.typeName) cannot be instantiated") }
            return try ctx.call(.object(o), a)
        }
        t.method("__or__") { _, s, a in .object(PyUnion([s, a.positional.first ?? .none], fromTyping: false)) }
        t.method("__ror__") { _, s, a in .object(PyUnion([a.positional.first ?? .none, s], fromTyping: false)) }
        t.method("__eq__") { ctx, s, a in
            guard let f = s.as(PyTypingForm.self), let g = a.positional.first?.as(PyTypingForm.self) else { return .false }
            guard f.name == g.name else { return .false }
            return .bool(try ctx.sequenceEquals(f.args ?? [], g.args ?? []))
        }
        t.method("__hash__") { ctx, s, _ in
            guard let f = s.as(PyTypingForm.self) else { return .int(0) }
            return .int(f.name.hashValue ^ (try (f.args ?? []).reduce(0) { $0 &* 31 &+ (try ctx.hash($1)) }))
        }
    }

    /// `Union[...]`: flattened, duplicates removed, a single member returned as itself.
    static func union(_ ctx: ExecContext, _ items: [PyValue]) -> PyValue {
        var members: [PyValue] = []
        for item in items {
            let normalized: PyValue = item.isNone ? .object(Builtins.noneType) : item
            let expanded = normalized.as(PyUnion.self)?.members ?? [normalized]
            for m in expanded where !members.contains(where: { $0.isIdentical(to: m) }) { members.append(m) }
        }
        if members.count == 1 { return members[0] }
        return .object(PyUnion(members, fromTyping: true))
    }
}

extension Builtins {
    public static let typingFormType = makeType("_SpecialForm", module: "typing", native: .init(subclassable: false)) { TypingModule.install($0) }
}
