import DSPy
import OrderedCollections

/// Arguments of a call in the shell: positional values, then keyword values in order.
struct ShellArguments: Sendable {
    var positional: [ShellValue]
    var keywords: OrderedDictionary<String, ShellValue>

    func keyword(_ name: String) -> ShellValue? { keywords[name] }

    func int(_ name: String) throws -> Int? {
        guard let v = keywords[name], !v.isNone else { return nil }
        guard case .int(let i) = v else { throw ShellError("\(name) must be an integer, not \(v.typeName)") }
        return i
    }

    func bool(_ name: String) throws -> Bool? {
        guard let v = keywords[name], !v.isNone else { return nil }
        guard case .bool(let b) = v else { throw ShellError("\(name) must be True or False, not \(v.typeName)") }
        return b
    }

    func double(_ name: String) throws -> Double? {
        guard let v = keywords[name], !v.isNone else { return nil }
        switch v {
        case .int(let i): return Double(i)
        case .float(let d): return d
        default: throw ShellError("\(name) must be a number, not \(v.typeName)")
        }
    }

    /// A keyword given in seconds (`timeout=2.5`) as a duration, or `fallback` seconds.
    func seconds(_ name: String, default fallback: Double) throws -> Duration {
        .milliseconds(Int64((try double(name) ?? fallback) * 1000))
    }

    /// A count given as `n=3` or as the first positional argument, else `fallback`.
    func count(_ name: String, default fallback: Int) throws -> Int {
        if let n = try int(name) { return n }
        if case .int(let i)? = positional.first { return i }
        return fallback
    }

    func string(_ name: String) throws -> String? {
        guard let v = keywords[name], !v.isNone else { return nil }
        guard case .string(let s) = v else { throw ShellError("\(name) must be a string, not \(v.typeName)") }
        return s
    }

    /// Fails on keywords outside `allowed`, naming the closest one.
    func only(_ allowed: [String], in function: String) throws {
        for k in keywords.keys where !allowed.contains(k) {
            let hint = closestName(k, in: allowed).map { "did you mean \($0)=?" }
            throw ShellError("\(function)() got an unexpected keyword argument '\(k)'", hint: hint ?? (allowed.isEmpty ? nil : "it accepts: \(allowed.joined(separator: ", "))"))
        }
    }
}

/// A callable value. `isAsync` callables start a background job unless awaited.
struct ShellFunction: Sendable {
    let name: String
    let isAsync: Bool
    let call: @Sendable (ShellArguments) async throws -> ShellValue
}

/// The scope overrides that `context(...)` describes, applied by `with` or `%push`.
struct ScopeSpec: Sendable {
    let values: [String: any Sendable]
    let text: String
}

/// A value in the shell language.
indirect enum ShellValue: Sendable {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case list([ShellValue])
    case tuple([ShellValue])
    case dict(OrderedDictionary<String, ShellValue>)
    case lm(LM)
    case module(Module)
    case prediction(Prediction)
    case example(Example)
    case signature(Signature)
    case adapter(any Adapter)
    case tool(Tool)
    case parallel(Parallel)
    case failure(ItemFailure)
    case job(Job)
    case function(ShellFunction)
    case scope(ScopeSpec)
    case settingsView
    case namespace(String)
    case opaque(String)

    var isNone: Bool { if case .none = self { return true }; return false }

    var typeName: String {
        switch self {
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "str"
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict: return "dict"
        case .lm: return "LM"
        case .module(let m): return String(describing: type(of: m))
        case .prediction: return "Prediction"
        case .example: return "Example"
        case .signature: return "Signature"
        case .adapter(let a): return a.name
        case .tool: return "Tool"
        case .parallel: return "Parallel"
        case .failure: return "Failed"
        case .job: return "Job"
        case .function: return "function"
        case .scope: return "context"
        case .settingsView: return "Settings"
        case .namespace: return "module"
        case .opaque: return "object"
        }
    }

    /// Python's `repr`, which the shell prints for expression statements.
    var repr: String {
        switch self {
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .float(let d): return Value.double(d).pythonRepr
        case .string(let s): return Value.string(s).pythonRepr
        case .list(let items): return "[" + items.map(\.repr).joined(separator: ", ") + "]"
        case .tuple(let items): return items.count == 1 ? "(\(items[0].repr),)" : "(" + items.map(\.repr).joined(separator: ", ") + ")"
        case .dict(let d): return "{" + d.map { Value.string($0.key).pythonRepr + ": " + $0.value.repr }.joined(separator: ", ") + "}"
        case .lm(let lm): return lm.description
        case .module(let m): return m.description
        case .prediction(let p): return p.description
        case .example(let e): return e.description
        case .signature(let s): return s.description
        case .adapter(let a): return a.name + "()"
        case .tool(let t): return "Tool(\(t.name))"
        case .parallel(let p): return "Parallel(num_threads=\(p.options.numThreads.map(String.init) ?? "None"))"
        case .failure(let f): return f.description
        case .job(let j): return j.summary
        case .function(let f): return "<function \(f.name)>"
        case .scope(let s): return "context(\(s.text))"
        case .settingsView: return "<settings: use %settings to list them>"
        case .namespace(let n): return "<module '\(n)'>"
        case .opaque(let s): return s
        }
    }

    /// Python's `str`: strings bare, everything else as `repr`.
    var str: String {
        if case .string(let s) = self { return s }
        return repr
    }

    var truthy: Bool {
        switch self {
        case .none: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .float(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .list(let a), .tuple(let a): return !a.isEmpty
        case .dict(let d): return !d.isEmpty
        default: return true
        }
    }

    // MARK: Conversion to and from library values

    /// This value as a field value for module inputs.
    func toValue() throws -> Value {
        switch self {
        case .none: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let d): return .double(d)
        case .string(let s): return .string(s)
        case .list(let a), .tuple(let a): return .array(try a.map { try $0.toValue() })
        case .dict(let d):
            var o = OrderedDictionary<String, Value>()
            for (k, v) in d { o[k] = try v.toValue() }
            return .object(o)
        case .prediction(let p): return .object(p.values)
        case .example(let e): return .object(e.values)
        default: throw ShellError("a \(typeName) cannot be used as a field value")
        }
    }

    init(_ v: Value) {
        switch v {
        case .null: self = .none
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .float(d)
        case .string(let s): self = .string(s)
        case .array(let a): self = .list(a.map(ShellValue.init))
        case .object(let o):
            var d = OrderedDictionary<String, ShellValue>()
            for (k, x) in o { d[k] = ShellValue(x) }
            self = .dict(d)
        }
    }

    /// This value as a settings value.
    func toSetting(key: String) throws -> any Sendable {
        if key == "max_tokens_budget" {
            guard case .int(let n) = self, n >= 0 else {
                throw ShellError("max_tokens_budget must be a whole number of tokens (0 or more), not \(repr)", hint: "e.g. %push max_tokens_budget=5000")
            }
            return n
        }
        switch self {
        case .none: return NoneSetting()
        case .bool(let b): return b
        case .int(let i): return i
        case .float(let d): return d
        case .string(let s):
            if key == "lm" {
                throw ShellError("lm must be an LM, not a string", hint: "write lm=LM(\(Value.string(s).pythonRepr))")
            }
            return s
        case .lm(let lm): return lm
        case .adapter(let a): return a
        case .list(let items) where key == "callbacks":
            if items.isEmpty { return [any Callback]() }
            throw ShellError("callbacks cannot be defined in the shell")
        default:
            if key == "lm" { throw ShellError("lm must be an LM, not \(typeName)", hint: "write lm=LM(\"provider/model\")") }
            return try toValue()
        }
    }

    /// A settings value as a shell value.
    static func fromSetting(_ v: (any Sendable)?) -> ShellValue {
        switch v {
        case nil, is NoneSetting: return .none
        case let b as Bool: return .bool(b)
        case let i as Int: return .int(i)
        case let d as Double: return .float(d)
        case let s as String: return .string(s)
        case let x as Value: return ShellValue(x)
        case let lm as LM: return .lm(lm)
        case let a as any Adapter: return .adapter(a)
        case let cbs as [any Callback]: return .opaque(cbs.isEmpty ? "[]" : "[\(cbs.count) callbacks]")
        case let modules as [Module]: return .list(modules.map { .module($0) })
        case let t as Trace: return .opaque("<trace: \(t.count) entries>")
        case let u as UsageTracker: return .opaque("<usage tracker: \(u.totals.values.reduce(0) { $0 + $1.totalTokens }) tokens>")
        case let other?: return .opaque(String(describing: other))
        }
    }
}

/// An error raised while running shell code, with an optional hint line.
struct ShellError: Error, CustomStringConvertible {
    let message: String
    let hint: String?
    init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }
    var description: String { message }
}

/// The closest candidate by edit distance, if it is close enough to be a likely typo.
func closestName(_ name: String, in candidates: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count)
        for i in 1...a.count {
            var cur = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            prev = cur
        }
        return prev[b.count]
    }
    let target = Array(name.lowercased())
    let scored = candidates.map { ($0, distance(target, Array($0.lowercased()))) }.sorted { $0.1 < $1.1 }
    guard let best = scored.first, best.1 <= max(1, name.count / 3) else { return nil }
    return best.0
}
