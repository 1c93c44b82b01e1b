import BigInt

/// A Python value. Immutable scalars are stored inline; everything else is a ``PyObject``.
///
/// Ints are machine integers on the fast path; a result that does not fit is promoted to a
/// ``PyBigInt`` object, and a big result that fits again is demoted, so `.int` and big ints
/// never overlap.
public enum PyValue: Sendable {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case str(String)
    case object(PyObject)

    public static let `true` = PyValue.bool(true)
    public static let `false` = PyValue.bool(false)

    /// An int from a big integer, demoted to `.int` when it fits.
    public static func int(_ b: BigInt) -> PyValue {
        if let i = Int(exactly: b) { return .int(i) }
        return .object(PyBigInt(b))
    }

    public var isNone: Bool { if case .none = self { return true }; return false }

    /// The value's Python type.
    public var type: PyType {
        switch self {
        case .none: return Builtins.noneType
        case .bool: return Builtins.boolType
        case .int: return Builtins.intType
        case .float: return Builtins.floatType
        case .str: return Builtins.strType
        case .object(let o): return o.type
        }
    }

    public var typeName: String { type.name }

    /// The object, if this is one of type `T`.
    public func `as`<T: PyObject>(_: T.Type) -> T? {
        if case .object(let o) = self { return o as? T }
        return nil
    }

    /// Python `is`.
    public func isIdentical(to other: PyValue) -> Bool {
        switch (self, other) {
        case (.none, .none): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.float(let a), .float(let b)): return a.bitPattern == b.bitPattern
        case (.str(let a), .str(let b)): return a.sameCodePoints(as: b)
        case (.object(let a), .object(let b)): return a === b
        default: return false
        }
    }

    /// The integer value of an int or bool (big ints excluded).
    public var smallInt: Int? {
        switch self {
        case .int(let i): return i
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    /// The value as a big integer when it is an int, bool or big int.
    public var bigInt: BigInt? {
        switch self {
        case .int(let i): return BigInt(i)
        case .bool(let b): return b ? 1 : 0
        case .object(let o): return (o as? PyBigInt)?.value
        default: return nil
        }
    }

    public var isIntLike: Bool {
        switch self {
        case .int, .bool: return true
        case .object(let o): return o is PyBigInt
        default: return false
        }
    }

    public var stringValue: String? { if case .str(let s) = self { return s }; return nil }
}

/// A mutable box for a variable captured by a closure (Python's cell).
public final class Cell: @unchecked Sendable {
    // Sendable proof: like every Python object, a cell is read and written only by the thread
    // that holds the interpreter lock (see ``InterpreterLock``).
    public var value: PyValue?
    public init(_ value: PyValue? = nil) { self.value = value }
}
