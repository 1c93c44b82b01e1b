import DSPy
import OrderedCollections
import PythonInterpreter

extension ExecContext {
    /// The shell session this Python code runs in.
    var shell: ShellEngine {
        get throws {
            guard let e = interpreter.embedder as? ShellEngine else { throw PyError.runtime("this object needs a dspy-repl session") }
            return e
        }
    }

    /// Runs library work from Python: the lock is released meanwhile, the scope goes with it,
    /// and library errors become Python exceptions (so `except Exception` catches them).
    func dspy<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        do {
            return try blockOn(work)
        } catch let e as PyError {
            throw e
        } catch is PyInterrupt {
            throw PyInterrupt()
        } catch {
            throw DSPyErrors.python(error)
        }
    }
}

/// Converting between Python values and the library's JSON-like values.
enum Convert {
    /// How deeply a value for the library may nest: as deep as the library's JSON parser
    /// reads LM replies. The library walks values recursively (formatting, hashing, JSON) on
    /// threads with small stacks, so a deeper one would overflow them.
    static let maxDepth = 512

    /// A Python value as a field value (module inputs, demos, tool arguments).
    static func value(_ ctx: ExecContext, _ v: PyValue) throws -> Value {
        try value(ctx, v, depth: 0)
    }

    private static func value(_ ctx: ExecContext, _ v: PyValue, depth: Int) throws -> Value {
        try ctx.checkStack()
        switch v {
        case .none: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let d): return .double(d)
        case .str(let s): return .string(s)
        case .object(let o):
            let inner = depth + 1
            if inner > maxDepth, o is PyList || o is PyTuple || o is PySet || o is PyDict || o is RecordObject {
                throw PyError.recursion("maximum recursion depth exceeded: the value is nested more than \(maxDepth) levels deep")
            }
            switch o {
            case let l as PyList: return .array(try l.items.map { try value(ctx, $0, depth: inner) })
            case let t as PyTuple: return .array(try t.items.map { try value(ctx, $0, depth: inner) })
            case let s as PySet: return .array(try s.values.map { try value(ctx, $0, depth: inner) })
            case let d as PyDict:
                var out = OrderedDictionary<String, Value>()
                for (k, x) in d.pairs { out[try keyString(ctx, k.value)] = try value(ctx, x, depth: inner) }
                return .object(out)
            case let r as RecordObject:
                var out = OrderedDictionary<String, Value>()
                for (k, x) in r.store.pairs { out[try keyString(ctx, k.value)] = try value(ctx, x, depth: inner) }
                return .object(out)
            default:
                if v.bigInt != nil { return .string(try ctx.repr(v)) }
                return .string(try ctx.str(v))
            }
        }
    }

    /// A module input as DSPy formats it: a Prediction or Example (not a dict in Python) is
    /// sent as its `str()`, `Prediction(\n    answer='...'\n)`; anything else as ``value(_:_:)``.
    static func inputValue(_ ctx: ExecContext, _ v: PyValue) throws -> Value {
        if let r = v.as(RecordObject.self), r.type.isSubtype(of: DSPyTypes.example) {
            return .string(try ctx.str(v))
        }
        return try value(ctx, v)
    }

    static func keyString(_ ctx: ExecContext, _ k: PyValue) throws -> String {
        if case .str(let s) = k { return s }
        return try ctx.str(k)
    }

    /// A library value as a Python value.
    static func python(_ v: Value) -> PyValue {
        switch v {
        case .null: return .none
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .float(d)
        case .string(let s): return .str(s)
        case .array(let a): return .object(PyList(a.map(python)))
        case .object(let o):
            let d = PyDict()
            for (k, x) in o { d.setString(k, python(x)) }
            return .object(d)
        }
    }

    /// Keyword arguments as module inputs.
    static func inputs(_ ctx: ExecContext, _ keywords: [(name: String, value: PyValue)]) throws -> Inputs {
        var out = Inputs()
        for (k, v) in keywords { out[k] = try value(ctx, v) }
        return out
    }

    /// A settings value from Python (`configure(...)`, `context(...)`, `%push`).
    static func setting(_ ctx: ExecContext, key: String, _ v: PyValue) throws -> any Sendable {
        if key == "max_tokens_budget" {
            guard case .int(let n) = v, n >= 0 else {
                throw PyError.value(
                    "max_tokens_budget must be a whole number of tokens (0 or more), not \(try ctx.repr(v)); e.g. %push max_tokens_budget=5000")
            }
            return n
        }
        switch v {
        case .none: return NoneSetting()
        case .bool(let b): return b
        case .int(let i): return i
        case .float(let d): return d
        case .str(let s):
            if key == "lm" {
                throw PyError.type("lm must be an LM, not a string: write lm=dspy.LM(\(Repr.string(s)))")
            }
            return s
        case .object(let o):
            if let lm = o as? LMObject { return lm.payload }
            if let a = o as? AdapterObject { return a.payload }
            if key == "lm" { throw PyError.type("lm must be an LM, not \(v.typeName): write lm=dspy.LM(\"provider/model\")") }
            if key == "callbacks" {
                let items = try ctx.iterateToArray(v)
                return try items.map { try CallbackBridge.callback(ctx, $0) } as [any Callback]
            }
            if let t = o as? UsageTrackerObject { return t.tracker }
            return try value(ctx, v)
        }
    }

    /// A settings value shown to Python (`dspy.settings.lm`).
    static func python(setting v: (any Sendable)?) -> PyValue {
        switch v {
        case nil, is NoneSetting: return .none
        case let b as Bool: return .bool(b)
        case let i as Int: return .int(i)
        case let d as Double: return .float(d)
        case let s as String: return .str(s)
        case let x as Value: return python(x)
        case let lm as LM: return .object(LMObject.wrap(lm))
        case let a as any Adapter: return .object(AdapterObject(a))
        case let cbs as [any Callback]: return .object(PyList(cbs.map { CallbackBridge.python($0) }))
        case let modules as [any DSPy.Module]: return .object(PyList(modules.map { ModuleBinding.wrap($0) }))
        case let t as Trace: return .object(PyList((0..<t.count).map { _ in .none }))
        case let u as UsageTracker: return .object(UsageTrackerObject(u))
        case let b as TokenBudget: return .object(TokenBudgetObject(b))
        case let other?: return .str(String(describing: other))
        }
    }
}

/// Library errors as Python exceptions, keeping DSPy's wording and the original error.
enum DSPyErrors {
    static func python(_ error: any Error) -> PyError {
        if let e = error as? BuiltinToolError {
            // Raised as Python would raise it: `ZeroDivisionError: division by zero`; a refused
            // expression or an unknown time zone is a ValueError.
            let type = e.kind.flatMap { kind in Builtins.exceptionTypes.first { $0.name == kind && $0.module == "builtins" } }
            return PyError(type ?? Builtins.valueErrorType, e.message)
        }
        let type: PyType
        switch error {
        case is ToolError, is SignatureError, is ExampleError, is ModuleError, is ReActError,
            is SavedStateError, is OptimizerError, is MetricError, is EvaluateError:
            type = Builtins.valueErrorType
        case is AdapterParseError: type = DSPyTypes.adapterParseError
        case let e as LMError:
            switch e.kind {
            case .timeout: type = Builtins.timeoutErrorType
            case .configuration: type = Builtins.valueErrorType
            case .contextWindowExceeded: type = DSPyTypes.contextWindowExceededError
            default: type = DSPyTypes.lmError
            }
        case is TokenBudgetExceeded: type = DSPyTypes.tokenBudgetExceeded
        case is ParallelCancelledError: type = Builtins.exceptionBaseType  // DSPy raises a plain Exception
        case is CancellationError: type = Builtins.cancelledErrorType
        case is SettingsOwnershipError: type = Builtins.runtimeErrorType
        default: type = Builtins.runtimeErrorType
        }
        // Python code sees DSPy's message; the shell's error line is made from the error itself.
        let e = PyExceptionObject(cls: type, args: [.str(ErrorWording.exceptionMessage(error))])
        e.swiftError = error
        return PyError(e)
    }
}
