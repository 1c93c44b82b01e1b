import OrderedCollections

/// The declared type of a signature field, as written in a signature string (`list[str]`,
/// `Literal['yes', 'no']`, `int | None`).
public indirect enum FieldType: Sendable, Hashable {
    case string
    case int
    case float
    case bool
    case any
    case none
    /// `list` (element `nil`) or `list[T]`.
    case list(FieldType?)
    /// `set` or `set[T]`.
    case set(FieldType?)
    /// `dict` (both `nil`) or `dict[K, V]`.
    case dict(FieldType?, FieldType?)
    /// `tuple` (empty) or `tuple[A, B, ...]`.
    case tuple([FieldType])
    case literal([Value])
    /// `Optional[T]` (typing style; renders as `Union[T, NoneType]`).
    case optional(FieldType)
    /// `Union[A, B]` (`pep604: false`) or `A | B` (`pep604: true`).
    case union([FieldType], pep604: Bool)

    /// The name Python DSPy prints for this type (`get_annotation_name`).
    public var pythonName: String {
        switch self {
        case .string: return "str"
        case .int: return "int"
        case .float: return "float"
        case .bool: return "bool"
        case .any: return "Any"
        case .none: return "NoneType"
        case .list(let e): return e.map { "list[\($0.pythonName)]" } ?? "list"
        case .set(let e): return e.map { "set[\($0.pythonName)]" } ?? "set"
        case .dict(let k, let v):
            guard let k, let v else { return "dict" }
            return "dict[\(k.pythonName), \(v.pythonName)]"
        case .tuple(let ts): return ts.isEmpty ? "tuple" : "tuple[" + ts.map(\.pythonName).joined(separator: ", ") + "]"
        case .literal(let vs):
            return "Literal["
                + vs.map { v in
                    if case .string(let s) = v { return s.contains("'") ? "\"\(s)\"" : "'\(s)'" }
                    return v.pythonRepr
                }.joined(separator: ", ") + "]"
        case .optional(let t): return "Union[\(t.pythonName), NoneType]"
        case .union(let ts, _):
            // DSPy 3.4.1 writes `A | B` as `Union[A, B]` too (its parser builds typing unions).
            return "Union[" + ts.map(\.pythonName).joined(separator: ", ") + "]"
        }
    }

    /// True when `None` is an accepted value.
    public var allowsNone: Bool {
        switch self {
        case .none, .any, .optional: return true
        case .union(let ts, _): return ts.contains { $0.allowsNone }
        default: return false
        }
    }

    /// The JSON schema pydantic gives for this type, keys sorted with `type` first as DSPy does.
    public var jsonSchema: Value {
        var o = OrderedDictionary<String, Value>()
        switch self {
        case .string: o["type"] = "string"
        case .int: o["type"] = "integer"
        case .float: o["type"] = "number"
        case .bool: o["type"] = "boolean"
        case .none: o["type"] = "null"
        case .any: break
        case .list(let e):
            o["type"] = "array"
            o["items"] = e?.jsonSchema ?? .object([:])
        case .set(let e):
            o["type"] = "array"
            o["items"] = e?.jsonSchema ?? .object([:])
            o["uniqueItems"] = true
        case .dict(_, let v):
            o["type"] = "object"
            if let v, v != .any { o["additionalProperties"] = v.jsonSchema } else { o["additionalProperties"] = true }
        case .tuple(let ts):
            o["type"] = "array"
            if !ts.isEmpty {
                o["maxItems"] = .int(ts.count)
                o["minItems"] = .int(ts.count)
                o["prefixItems"] = .array(ts.map(\.jsonSchema))
            } else {
                o["items"] = .object([:])
            }
        case .literal(let vs):
            if vs.allSatisfy({ $0.stringValue != nil }) {
                o["type"] = "string"
            } else if vs.allSatisfy({
                if case .int = $0 { return true }; return false
            }) {
                o["type"] = "integer"
            } else if vs.allSatisfy({ $0.boolValue != nil }) {
                o["type"] = "boolean"
            }
            if vs.count == 1 { o["const"] = vs[0] } else { o["enum"] = .array(vs) }
        case .optional(let t):
            o["anyOf"] = .array([t.jsonSchema, FieldType.none.jsonSchema])
        case .union(let ts, _):
            o["anyOf"] = .array(ts.map(\.jsonSchema))
        }
        return FieldType.sortTypeFirst(.object(o))
    }

    static func sortTypeFirst(_ v: Value) -> Value {
        switch v {
        case .object(let o):
            let keys = o.keys.sorted { a, b in a == "type" ? b != "type" : (b == "type" ? false : a < b) }
            var out = OrderedDictionary<String, Value>()
            for k in keys { if let v = o[k] { out[k] = sortTypeFirst(v) } }
            return .object(out)
        case .array(let a): return .array(a.map(sortTypeFirst))
        default: return v
        }
    }

    /// The note ChatAdapter puts after an output placeholder (`# note: the value you produce ...`),
    /// or `nil` for `str`.
    var outputNote: String? {
        switch self {
        case .string: return nil
        case .bool: return "must be True or False"
        case .int: return "must be a single int value"
        case .float: return "must be a single float value"
        case .literal(let vs):
            return "must exactly match (no extra characters) one of: " + vs.map(\.pythonStr).joined(separator: "; ")
        default:
            return "must adhere to the JSON schema: " + JSON.pythonDumps(jsonSchema)
        }
    }
}

/// A reply value that does not fit the field's declared type.
struct TypeCoercionError: Error, CustomStringConvertible {
    let description: String
}

extension FieldType {
    /// Converts the text an LM wrote for a field into a value of this type, as DSPy's
    /// `parse_value` does (JSON or Python literal first, then lax conversion).
    func parse(_ raw: String) throws -> Value {
        switch self {
        case .string: return .string(raw)
        case .literal(let options):
            if let v = matchLiteral(raw, options) { return v }
            throw TypeCoercionError(
                description: "Input should be \(options.map(\.pythonRepr).joined(separator: ", ")) [input_value=\(PythonString.repr(raw))]")
        case .optional(.string):
            return .string(raw)
        case .union where isStringOrNone:
            return .string(raw)
        default:
            let trimmed = raw.trimmingWhitespace()
            var candidate: Value
            if let v = try? JSON.parseLenient(trimmed) {
                candidate = v
            } else if let span = JSON.firstObjectSpan(in: trimmed), case .dict = self, let v = try? JSON.parseLenient(String(span)) {
                candidate = v
            } else {
                candidate = .string(trimmed)
            }
            if case .string(let s) = candidate, case .list = self, s.contains(",") {
                if let v = try? JSON.parseLenient("[" + s + "]") { candidate = v }
            }
            return try coerce(candidate)
        }
    }

    private var isStringOrNone: Bool {
        if case .union(let ts, _) = self { return ts.contains(.string) && ts.contains(.none) }
        return false
    }

    private func matchLiteral(_ raw: String, _ options: [Value]) -> Value? {
        func find(_ s: String) -> Value? {
            options.first { $0.pythonStr == s || $0.pythonRepr == s }
        }
        if let v = find(raw) { return v }
        var s = raw.trimmingWhitespace()
        if let v = find(s) { return v }
        for prefix in ["Literal[", "str["] where s.hasPrefix(prefix) && s.hasSuffix("]") {
            s = String(s.dropFirst(prefix.count).dropLast()).trimmingWhitespace()
        }
        if s.count >= 2, let f = s.first, let l = s.last, f == l, f == "'" || f == "\"" {
            s = String(s.dropFirst().dropLast())
        }
        return find(s)
    }

    /// Lax validation of an already-parsed value against this type (pydantic's lax mode).
    func coerce(_ v: Value) throws -> Value {
        func mismatch() -> TypeCoercionError {
            TypeCoercionError(description: "Input should be a valid \(pythonName) [input_value=\(v.pythonRepr)]")
        }
        switch self {
        case .any: return v
        case .none:
            if v.isNull { return v }
            throw mismatch()
        case .string:
            if case .string = v { return v }
            throw mismatch()
        case .int:
            switch v {
            case .int: return v
            case .double(let d) where d.rounded() == d && abs(d) < 9.2e18: return .int(Int(d))
            case .bool(let b): return .int(b ? 1 : 0)
            case .string(let s):
                let t = s.trimmingWhitespace()
                if let i = Int(t) { return .int(i) }
                if let d = Double(t), d.rounded() == d, abs(d) < 9.2e18 { return .int(Int(d)) }
                throw mismatch()
            default: throw mismatch()
            }
        case .float:
            switch v {
            case .double: return v
            case .int(let i): return .double(Double(i))
            case .string(let s):
                if let d = Double(s.trimmingWhitespace()) { return .double(d) }
                throw mismatch()
            default: throw mismatch()
            }
        case .bool:
            switch v {
            case .bool: return v
            case .int(let i) where i == 0 || i == 1: return .bool(i == 1)
            case .string(let s):
                switch s.trimmingWhitespace().lowercased() {
                case "true", "yes", "y", "on", "1", "t": return .bool(true)
                case "false", "no", "n", "off", "0", "f": return .bool(false)
                default: throw mismatch()
                }
            default: throw mismatch()
            }
        case .list(let e), .set(let e):
            guard case .array(let a) = v else { throw mismatch() }
            guard let e else { return v }
            return .array(try a.map { try e.coerce($0) })
        case .tuple(let ts):
            guard case .array(let a) = v else { throw mismatch() }
            if ts.isEmpty { return v }
            guard a.count == ts.count else {
                throw TypeCoercionError(description: "Tuple should have \(ts.count) items, not \(a.count)")
            }
            return .array(try zip(ts, a).map { try $0.coerce($1) })
        case .dict(_, let valueType):
            guard case .object(let o) = v else { throw mismatch() }
            guard let valueType else { return v }
            var out = OrderedDictionary<String, Value>()
            for (k, x) in o { out[k] = try valueType.coerce(x) }
            return .object(out)
        case .literal(let options):
            if options.contains(v) { return v }
            if case .string(let s) = v, let m = matchLiteral(s, options) { return m }
            throw TypeCoercionError(
                description: "Input should be \(options.map(\.pythonRepr).joined(separator: " or ")) [input_value=\(v.pythonRepr)]")
        case .optional(let t):
            if v.isNull { return v }
            return try t.coerce(v)
        case .union(let ts, _):
            if ts.contains(where: { $0.accepts(v) }) { return v }
            for t in ts { if let c = try? t.coerce(v) { return c } }
            throw mismatch()
        }
    }

    /// Strict check: is `v` already a value of this type?
    func accepts(_ v: Value) -> Bool {
        switch (self, v) {
        case (.any, _): return true
        case (.none, .null): return true
        case (.string, .string), (.int, .int), (.float, .double), (.float, .int), (.bool, .bool): return true
        case (.list(let e), .array(let a)), (.set(let e), .array(let a)): return e.map { t in a.allSatisfy { t.accepts($0) } } ?? true
        case (.tuple(let ts), .array(let a)): return ts.isEmpty || (ts.count == a.count && zip(ts, a).allSatisfy { $0.accepts($1) })
        case (.dict(_, let vt), .object(let o)): return vt.map { t in o.values.allSatisfy { t.accepts($0) } } ?? true
        case (.literal(let os), _): return os.contains(v)
        case (.optional(let t), _): return v.isNull || t.accepts(v)
        case (.union(let ts, _), _): return ts.contains { $0.accepts(v) }
        default: return false
        }
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and newlines (Python's `strip()` of
    /// ASCII whitespace), scalar by scalar, so a trailing `\r\n` goes too. All of them are ASCII,
    /// so the UTF-8 bytes are scanned and the cuts fall on scalar boundaries.
    func trimmingWhitespace() -> String {
        let bytes = utf8
        // Offsets of the kept bytes, found from both ends (the text is usually contiguous UTF-8).
        let kept = bytes.withContiguousStorageIfAvailable(keptOffsets) ?? keptOffsets(Array(bytes))
        guard let kept else { return "" }
        if kept.lowerBound == 0 && kept.upperBound == bytes.count { return String(self) }
        let start = bytes.index(bytes.startIndex, offsetBy: kept.lowerBound)
        return String(self[start..<bytes.index(start, offsetBy: kept.count)])
    }

    /// True when the text has something besides that whitespace (without copying it).
    var hasNonWhitespace: Bool { utf8.contains { !isASCIIWhitespace($0) } }
}

/// The offsets of the bytes between leading and trailing whitespace, found from both ends; nil
/// when every byte is whitespace.
private func keptOffsets<Bytes: BidirectionalCollection<UInt8>>(_ bytes: Bytes) -> Range<Int>? where Bytes.Index == Int {
    guard let first = bytes.firstIndex(where: { !isASCIIWhitespace($0) }), let last = bytes.lastIndex(where: { !isASCIIWhitespace($0) })
    else { return nil }
    return first..<(last + 1)
}

/// Space, `\t`, `\n`, `\v`, `\f` and `\r`.
@inline(__always)
private func isASCIIWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
}
