/// An instance of `BaseException` or a subclass.
public final class PyExceptionObject: PyInstance, @unchecked Sendable {
    public var args: [PyValue]
    /// Where it was raised and which calls it passed through, innermost first.
    public var traceback: [TracebackEntry] = []
    public var cause: PyExceptionObject?
    public var context: PyExceptionObject?
    public var suppressContext = false
    /// The frame whose statement last recorded a traceback entry.
    var lastFrame: ObjectIdentifier?
    /// For NameError: the name that was not found (for the "Did you mean" hint).
    public var instanceDictionaryName: String?

    public init(cls: PyType, args: [PyValue] = []) {
        self.args = args
        super.init(cls: cls)
    }

    public var typeName: String { type.name }

    /// The message as `str(e)` gives it, without calling user code.
    public var message: String {
        if let custom = customMessage { return custom }
        switch args.count {
        case 0: return ""
        case 1:
            if type.isSubtype(of: Builtins.keyErrorType) { return Repr.plain(args[0]) }
            return Repr.plainStr(args[0])
        default: return Repr.plain(.object(PyTuple(args)))
        }
    }

    /// The embedding library's own error this exception stands for, if any.
    public var swiftError: (any Error)?

    /// A message computed by a user `__str__`, filled in when the error is reported.
    public var customMessage: String?

    /// `ValueError: message` (or just the type name when there is no message).
    public var summary: String {
        let m = message
        return m.isEmpty ? typeName : "\(typeName): \(m)"
    }
}

/// One frame of a traceback.
public struct TracebackEntry: Sendable {
    public let file: String
    public let function: String
    public let position: SourcePosition
}

/// A Python exception travelling through Swift code.
public struct PyError: Error, @unchecked Sendable, CustomStringConvertible {
    // Sendable proof: the exception object is touched only under the interpreter lock.
    public let exception: PyExceptionObject

    public init(_ exception: PyExceptionObject) {
        self.exception = exception
    }

    public init(_ type: PyType, _ message: String) {
        exception = PyExceptionObject(cls: type, args: [.str(message)])
    }

    public var description: String { exception.summary }

    public static func type(_ m: String) -> PyError { PyError(Builtins.typeErrorType, m) }
    public static func value(_ m: String) -> PyError { PyError(Builtins.valueErrorType, m) }
    public static func attribute(_ m: String) -> PyError { PyError(Builtins.attributeErrorType, m) }
    public static func index(_ m: String) -> PyError { PyError(Builtins.indexErrorType, m) }
    public static func name(_ m: String) -> PyError { PyError(Builtins.nameErrorType, m) }
    public static func zeroDivision(_ m: String) -> PyError { PyError(Builtins.zeroDivisionErrorType, m) }
    public static func overflow(_ m: String) -> PyError { PyError(Builtins.overflowErrorType, m) }
    public static func runtime(_ m: String) -> PyError { PyError(Builtins.runtimeErrorType, m) }
    public static func recursion(_ m: String) -> PyError { PyError(Builtins.recursionErrorType, m) }
    public static func notImplemented(_ m: String) -> PyError { PyError(Builtins.notImplementedErrorType, m) }
    public static func memory(_ m: String) -> PyError { PyError(Builtins.memoryErrorType, m) }
    public static func importError(_ m: String) -> PyError { PyError(Builtins.importErrorType, m) }
    public static func moduleNotFound(_ m: String) -> PyError { PyError(Builtins.moduleNotFoundErrorType, m) }
    public static func unboundLocal(_ m: String) -> PyError { PyError(Builtins.unboundLocalErrorType, m) }
    public static func os(_ m: String) -> PyError { PyError(Builtins.osErrorType, m) }
    public static func fileNotFound(_ m: String) -> PyError { PyError(Builtins.fileNotFoundErrorType, m) }
    public static func timeout(_ m: String) -> PyError { PyError(Builtins.timeoutErrorType, m) }
    public static func assertion(_ m: String?) -> PyError {
        PyError(PyExceptionObject(cls: Builtins.assertionErrorType, args: m.map { [.str($0)] } ?? []))
    }
    public static func key(_ key: PyValue) -> PyError {
        PyError(PyExceptionObject(cls: Builtins.keyErrorType, args: [key]))
    }
    public static func stopIteration(_ value: PyValue? = nil) -> PyError {
        PyError(PyExceptionObject(cls: Builtins.stopIterationType, args: value.map { [$0] } ?? []))
    }

    public var typeName: String { exception.typeName }
    public func isInstance(of t: PyType) -> Bool { exception.type.isSubtype(of: t) }
}

/// Raised when the running statement is interrupted (Ctrl-C) or its session task cancelled.
/// Python code cannot catch it, so `while True:` with a bare `except:` still stops;
/// `finally` blocks and `with` exits still run.
public struct PyInterrupt: Error, Sendable, CustomStringConvertible {
    public init() {}
    public var description: String { "interrupted" }
}
