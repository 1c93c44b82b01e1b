import OrderedCollections

/// A dynamically typed value: what flows through signature fields, LM requests and predictions.
///
/// It mirrors the JSON data model plus Python's distinction between `int` and `float`, so a
/// value can be rendered exactly as DSPy renders it (`str()`, `repr()`, `json.dumps`).
public enum Value: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([Value])
    case object(OrderedDictionary<String, Value>)

    /// The string payload, or `nil` when this is not a string.
    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    /// The integer payload; a float with no fractional part also converts.
    public var intValue: Int? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9.2e18: return Int(d)
        default: return nil
        }
    }
    /// The numeric payload as a `Double` (ints widen).
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }
    /// The boolean payload, or `nil` when this is not a boolean.
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    /// The elements, or `nil` when this is not an array.
    public var arrayValue: [Value]? { if case .array(let a) = self { return a }; return nil }
    /// The members, or `nil` when this is not an object.
    public var objectValue: OrderedDictionary<String, Value>? { if case .object(let o) = self { return o }; return nil }
    /// True for `.null`.
    public var isNull: Bool { if case .null = self { return true }; return false }

    /// Member access on objects; `.null` for anything else.
    public subscript(key: String) -> Value {
        if case .object(let o) = self { return o[key] ?? .null }
        return .null
    }
}

// MARK: - Literals

extension Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral,
    ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: Value...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, Value)...) {
        var o = OrderedDictionary<String, Value>(minimumCapacity: elements.count)
        for (k, v) in elements { o[k] = v }
        self = .object(o)
    }
    public init(nilLiteral: ()) { self = .null }
}

// MARK: - Conversion from Swift values

/// A Swift value that can be passed as a field value (`qa(question: "...")`).
public protocol ValueConvertible: Sendable {
    /// This value as a ``Value``.
    var dspyValue: Value { get }
}

extension Value: ValueConvertible { public var dspyValue: Value { self } }
extension String: ValueConvertible { public var dspyValue: Value { .string(self) } }
extension Substring: ValueConvertible { public var dspyValue: Value { .string(String(self)) } }
extension Int: ValueConvertible { public var dspyValue: Value { .int(self) } }
extension Double: ValueConvertible { public var dspyValue: Value { .double(self) } }
extension Float: ValueConvertible { public var dspyValue: Value { .double(Double(self)) } }
extension Bool: ValueConvertible { public var dspyValue: Value { .bool(self) } }
extension Array: ValueConvertible where Element: ValueConvertible {
    public var dspyValue: Value { .array(map(\.dspyValue)) }
}
extension Dictionary: ValueConvertible where Key == String, Value: ValueConvertible {
    public var dspyValue: DSPy.Value {
        .object(OrderedDictionary(uniqueKeysWithValues: self.sorted { $0.key < $1.key }.map { ($0.key, $0.value.dspyValue) }))
    }
}
extension OrderedDictionary: ValueConvertible where Key == String, Value: ValueConvertible {
    public var dspyValue: DSPy.Value {
        .object(OrderedDictionary<String, DSPy.Value>(uniqueKeysWithValues: self.map { ($0.key, $0.value.dspyValue) }))
    }
}
extension Optional: ValueConvertible where Wrapped: ValueConvertible {
    public var dspyValue: Value { self?.dspyValue ?? .null }
}

// MARK: - Python-style rendering

extension Value {
    /// Python's `str(value)`: strings verbatim, `True`/`False`/`None`, containers as `repr`.
    public var pythonStr: String {
        switch self {
        case .string(let s): return s
        default: return pythonRepr
        }
    }

    /// Python's `repr(value)`: strings quoted as Python quotes them, dicts as `{'k': v}`.
    public var pythonRepr: String {
        switch self {
        case .null: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .double(let d): return PythonFloat.repr(d)
        case .string(let s): return PythonString.repr(s)
        case .array(let a): return "[" + a.map(\.pythonRepr).joined(separator: ", ") + "]"
        case .object(let o):
            return "{" + o.map { PythonString.repr($0.key) + ": " + $0.value.pythonRepr }.joined(separator: ", ") + "}"
        }
    }
}

extension Value: CustomStringConvertible {
    /// Strings print bare (as Python's `str`); everything else as Python's `repr`.
    public var description: String { pythonStr }
}

/// Python's float formatting (`repr(float)`), which DSPy relies on when rendering numbers.
enum PythonFloat {
    static func repr(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        // Swift's description is the shortest round-trip digit string, like Python's repr;
        // only the switch between positional and exponent notation differs.
        let (negative, digits, exponent) = decompose(d)
        var out = negative ? "-" : ""
        // exponent: value = 0.d1d2d3... × 10^exponent  =>  scientific exponent = exponent - 1
        let sciExp = exponent - 1
        if sciExp < -4 || sciExp >= 16 {
            out += String(digits.first!)
            if digits.count > 1 { out += "." + digits.dropFirst() }
            out += "e" + (sciExp < 0 ? "-" : "+") + (abs(sciExp) < 10 ? "0" : "") + String(abs(sciExp))
        } else if exponent <= 0 {
            out += "0." + String(repeating: "0", count: -exponent) + digits
        } else if exponent >= digits.count {
            out += digits + String(repeating: "0", count: exponent - digits.count) + ".0"
        } else {
            let i = digits.index(digits.startIndex, offsetBy: exponent)
            out += digits[..<i] + "." + digits[i...]
        }
        return out
    }

    /// Splits a finite non-zero double into sign, significant digits and decimal exponent.
    private static func decompose(_ d: Double) -> (Bool, String, Int) {
        let text = abs(d).description  // e.g. "123.45", "1e-05", "1.5e+20"
        var mantissa = Substring(text)
        var exp = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exp = Int(text[text.index(after: e)...]) ?? 0
        }
        var intPart = mantissa
        var fracPart: Substring = ""
        if let dot = mantissa.firstIndex(of: ".") {
            intPart = mantissa[..<dot]
            fracPart = mantissa[mantissa.index(after: dot)...]
        }
        var digits = String(intPart) + String(fracPart)
        var pointPos = intPart.count + exp
        while digits.hasPrefix("0") && digits.count > 1 { digits.removeFirst(); pointPos -= 1 }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        return (d < 0, digits, pointPos)
    }
}

/// Python's `repr(str)`: single quotes unless the text contains `'` and no `"`.
enum PythonString {
    static func repr(_ s: String) -> String {
        let useDouble = s.contains("'") && !s.contains("\"")
        let quote: Character = useDouble ? "\"" : "'"
        var out = String(quote)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "'" where !useDouble: out += "\\'"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + hex(scalar.value, width: 2)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out.append(quote)
        return out
    }

    static func hex(_ v: UInt32, width: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
}
