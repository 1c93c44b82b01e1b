import BigInt

extension PyType {
    /// Defines a method implemented in Swift.
    public func method(_ name: String, _ signature: String? = nil, doc: String = "", _ body: @escaping PyNativeMethod.Body) {
        define(name, .object(PyNativeMethod(name, signature: signature ?? "\(name)(...)", doc: doc, body)))
    }

    /// Defines a static method implemented in Swift (`str.maketrans`).
    func staticMethod(_ name: String, _ signature: String, doc: String = "", _ body: @escaping PyBuiltinFunction.Body) {
        define(name, .object(PyStaticMethod(.object(PyBuiltinFunction(name, signature: signature, doc: doc, body)))))
    }

    /// Defines a class method implemented in Swift: `body` gets the class as its first argument.
    func classMethod(_ name: String, _ signature: String, doc: String = "", _ body: @escaping PyBuiltinFunction.Body) {
        define(name, .object(PyClassMethod(.object(PyBuiltinFunction(name, signature: signature, doc: doc, body)))))
    }

    /// Defines a computed attribute.
    public func property(_ name: String, doc: String = "", get: @escaping PyNativeProperty.Getter, set: PyNativeProperty.Setter? = nil) {
        define(name, .object(PyNativeProperty(name, doc: doc, get: get, set: set)))
    }
}

extension Interpreter {
    /// Defines a builtin function.
    func function(_ name: String, _ signature: String, doc: String = "", _ body: @escaping PyBuiltinFunction.Body) {
        builtins.set(name, .object(PyBuiltinFunction(name, signature: signature, doc: doc, body)))
    }
}

extension PyModule {
    /// Defines a module function.
    public func function(_ name: String, _ signature: String? = nil, doc: String = "", _ body: @escaping PyBuiltinFunction.Body) {
        define(name, .object(PyBuiltinFunction(name, signature: signature ?? "\(name)(...)", doc: doc, body)))
    }
}

/// Converting arguments, with CPython's messages.
extension ExecContext {
    /// An index-sized integer argument.
    public func intArg(_ v: PyValue, _ what: String = "argument") throws -> Int {
        switch v {
        case .int(let i): return i
        case .bool(let b): return b ? 1 : 0
        case .object(let o as PyBigInt):
            _ = o
            throw PyError.overflow("Python int too large to convert to C ssize_t")
        case .float:
            throw PyError.type("'float' object cannot be interpreted as an integer")
        default:
            if let b = try index(v) {
                guard let i = Int(exactly: b) else { throw PyError.overflow("Python int too large to convert to C ssize_t") }
                return i
            }
            throw PyError.type("'\(v.typeName)' object cannot be interpreted as an integer")
        }
    }

    public func strArg(_ v: PyValue, _ function: String, _ position: String = "argument") throws -> String {
        guard case .str(let s) = v else { throw PyError.type("\(function)() \(position) must be str, not \(v.typeName)") }
        return s
    }

    /// An optional argument that may be None.
    public func optional(_ v: PyValue?) -> PyValue? {
        guard let v, !v.isNone else { return nil }
        return v
    }

    /// `isinstance(v, t)` where `t` is a type, a tuple of types or a union.
    public func isInstance(_ v: PyValue, _ t: PyValue) throws -> Bool {
        switch t {
        case .object(let o):
            if let type = o as? PyType { return v.type.isSubtype(of: type) }
            if let tuple = o as? PyTuple {
                for x in tuple.items where try isInstance(v, x) { return true }
                return false
            }
            if let u = o as? PyUnion {
                for x in u.members where try isInstance(v, x) { return true }
                return false
            }
            if let g = o as? PyGenericAlias {
                throw PyError.type("isinstance() argument 2 cannot be a parameterized generic")
                    .noting(g)
            }
            if let check = special(t, "__instancecheck__") {
                return try truthy(try callDescriptor(check, self: t, Args([v])))
            }
        case .none:
            return v.isNone
        default: break
        }
        throw PyError.type("isinstance() arg 2 must be a type, a tuple of types, or a union")
    }

    /// `issubclass(a, b)`.
    public func isSubclass(_ a: PyType, _ t: PyValue) throws -> Bool {
        switch t {
        case .object(let o):
            if let type = o as? PyType { return a.isSubtype(of: type) }
            if let tuple = o as? PyTuple {
                for x in tuple.items where try isSubclass(a, x) { return true }
                return false
            }
            if let u = o as? PyUnion {
                for x in u.members where try isSubclass(a, x) { return true }
                return false
            }
        default: break
        }
        throw PyError.type("issubclass() arg 2 must be a class, a tuple of classes, or a union")
    }

    /// Builds an exception object from `raise X` / `raise X(...)`.
    func makeException(_ v: PyValue) throws -> PyExceptionObject {
        switch v {
        case .object(let e as PyExceptionObject): return e
        case .object(let t as PyType) where t.isSubtype(of: Builtins.baseExceptionType):
            let made = try call(v, Args())
            guard case .object(let e as PyExceptionObject) = made else {
                throw PyError.type("calling \(t.name) should have returned an instance of BaseException, not \(made.typeName)")
            }
            return e
        default:
            throw PyError.type("exceptions must derive from BaseException")
        }
    }

    /// Whether an `except T:` clause catches `e`.
    func exceptionMatches(_ e: PyExceptionObject, _ t: PyValue) throws -> Bool {
        switch t {
        case .object(let type as PyType):
            guard type.isSubtype(of: Builtins.baseExceptionType) else {
                throw PyError.type("catching classes that do not inherit from BaseException is not allowed")
            }
            return e.type.isSubtype(of: type)
        case .object(let tuple as PyTuple):
            for x in tuple.items where try exceptionMatches(e, x) { return true }
            return false
        default:
            throw PyError.type("catching classes that do not inherit from BaseException is not allowed")
        }
    }
}

extension PyError {
    func noting(_ o: PyObject) -> PyError { self }
}

/// `int | str`, `Optional[int]`, `Union[a, b]`: a union of types.
public final class PyUnion: PyObject, @unchecked Sendable {
    public let members: [PyValue]
    /// True when written with the `typing` module (it prints as `typing.Union[...]`).
    public let fromTyping: Bool
    public init(_ members: [PyValue], fromTyping: Bool) {
        self.members = members
        self.fromTyping = fromTyping
        super.init(type: Builtins.unionType)
    }
}

extension Builtins {
    public static let unionType = makeType("types.UnionType", native: .init(subclassable: false)) { t in
        t.method("__repr__") { ctx, me, _ in
            guard let u = me.as(PyUnion.self) else { return .str("") }
            let parts = try u.members.map { try TypeRepr.describe(ctx, $0, nested: true) }
            if u.fromTyping {
                if u.members.count == 2, u.members.contains(where: { $0.isNone || $0.as(PyType.self) === Builtins.noneType }) {
                    let other =
                        try u.members.first { !($0.isNone || $0.as(PyType.self) === Builtins.noneType) }.map {
                            try TypeRepr.describe(ctx, $0, nested: true)
                        } ?? "None"
                    return .str("typing.Optional[\(other)]")
                }
                return .str("typing.Union[" + parts.joined(separator: ", ") + "]")
            }
            return .str(parts.joined(separator: " | "))
        }
        t.method("__or__") { ctx, me, args in
            guard let u = me.as(PyUnion.self), let other = args.positional.first else { return Builtins.notImplemented }
            return .object(PyUnion(u.members + [other], fromTyping: false))
        }
        t.method("__eq__") { ctx, me, args in
            guard let u = me.as(PyUnion.self), let other = args.positional.first?.as(PyUnion.self) else { return .false }
            return .bool(try ctx.sequenceEquals(u.members, other.members))
        }
        t.method("__hash__") { ctx, me, _ in .int(ObjectIdentifier(me.as(PyUnion.self) ?? PyUnion([], fromTyping: false)).hashValue) }
    }
}
