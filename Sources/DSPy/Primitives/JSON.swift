import OrderedCollections

/// A JSON document that could not be read, with the byte offset where reading stopped.
public struct JSONParseError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public let offset: Int
    public var description: String { "\(message) at offset \(offset)" }
}

/// JSON reading and writing for ``Value``, keeping object key order and the int/float split.
public enum JSON {
    /// Parses strict JSON (RFC 8259).
    public static func parse(_ text: String) throws(JSONParseError) -> Value {
        var p = Reader(Array(text.utf8), lenient: false)
        return try p.document()
    }

    /// Parses strict JSON from raw bytes.
    public static func parse(bytes: [UInt8]) throws(JSONParseError) -> Value {
        var p = Reader(bytes, lenient: false)
        return try p.document()
    }

    /// Parses the forgiving dialect LMs produce: Python literals (`'single'`, `True`, `None`,
    /// tuples), trailing commas and unquoted keys are accepted.
    public static func parseLenient(_ text: String) throws(JSONParseError) -> Value {
        var p = Reader(Array(text.utf8), lenient: true)
        return try p.document()
    }

    /// Compact JSON for the wire (`{"a":1}`).
    public static func compact(_ v: Value) -> String {
        String(decoding: compactBytes(v), as: UTF8.self)
    }

    /// ``compact(_:)`` as the UTF-8 bytes a request body sends, without a detour through `String`.
    static func compactBytes(_ v: Value) -> [UInt8] {
        var writer = Writer(style: .compact, capacity: estimatedCompactSize(v))
        writer.write(v, level: 0)
        return writer.bytes
    }

    /// About the size of `v`'s compact JSON (its strings, plus room for the punctuation), so the
    /// writer's buffer is allocated once instead of doubled for a long prompt.
    static func estimatedCompactSize(_ v: Value) -> Int {
        switch v {
        case .string(let s): return estimatedStringSize(s)
        case .array(let a): return a.reduce(2) { $0 + estimatedCompactSize($1) + 1 }
        case .object(let o): return o.reduce(2) { $0 + $1.key.utf8.count + estimatedCompactSize($1.value) + 8 }
        default: return 24
        }
    }

    /// About the size of `s` written as a JSON string: its bytes, its quotes and room for some escapes.
    static func estimatedStringSize(_ s: String) -> Int { s.utf8.count + s.utf8.count / 16 + 8 }

    /// Python's `json.dumps(v, ensure_ascii=False)` (`{"a": 1, "b": [1, 2]}`), or with
    /// `indent` like `json.dumps(v, indent=2)`.
    /// With `ensureASCII`, as `json.dumps(v)` by default: every character beyond ASCII as `\uXXXX`.
    public static func pythonDumps(_ v: Value, indent: Int? = nil, ensureASCII: Bool = false) -> String {
        var writer = Writer(style: indent.map { .indented($0) } ?? .python)
        writer.write(v, level: 0)
        let out = String(decoding: writer.bytes, as: UTF8.self)
        return ensureASCII ? asciiEscaped(out) : out
    }

    /// Characters beyond ASCII (only ever inside strings) as Python writes them: `\u00e9`, and
    /// a surrogate pair beyond the BMP.
    static func asciiEscaped(_ json: String) -> String {
        guard !json.utf8.allSatisfy({ $0 < 0x80 }) else { return json }
        var out = String.UnicodeScalarView()
        func escape(_ unit: UInt32) {
            let hex = String(unit, radix: 16)
            out.append(contentsOf: ("\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex).unicodeScalars)
        }
        for scalar in json.unicodeScalars {
            if scalar.value < 0x80 { out.append(scalar); continue }
            for unit in String(scalar).utf16 { escape(UInt32(unit)) }
        }
        return String(out)
    }

    enum Style { case compact, python, indented(Int) }

    /// Writes JSON text as UTF-8 bytes: a request body is built on every LM call, and appending
    /// byte runs is several times cheaper than appending `Substring`s to a `String`.
    struct Writer {
        var bytes: [UInt8] = []
        let style: Style

        init(style: Style, capacity: Int = 256) {
            self.style = style
            bytes.reserveCapacity(capacity)
        }

        mutating func write(_ v: Value, level: Int) {
            switch v {
            case .null: append("null")
            case .bool(let b): append(b ? "true" : "false")
            case .int(let i): append(String(i))
            case .double(let d):
                if d.isNaN { append("NaN") } else if d.isInfinite { append(d < 0 ? "-Infinity" : "Infinity") } else { append(PythonFloat.repr(d)) }
            case .string(let s): writeString(s)
            case .array(let a):
                if a.isEmpty { append("[]"); return }
                bytes.append(UInt8(ascii: "["))
                for (i, e) in a.enumerated() {
                    if i > 0 { separator() }
                    newline(level + 1)
                    write(e, level: level + 1)
                }
                newline(level)
                bytes.append(UInt8(ascii: "]"))
            case .object(let o):
                if o.isEmpty { append("{}"); return }
                bytes.append(UInt8(ascii: "{"))
                for (i, (k, e)) in o.enumerated() {
                    if i > 0 { separator() }
                    newline(level + 1)
                    writeString(k)
                    if case .compact = style { bytes.append(UInt8(ascii: ":")) } else { append(": ") }
                    write(e, level: level + 1)
                }
                newline(level)
                bytes.append(UInt8(ascii: "}"))
            }
        }

        private mutating func append(_ s: String) { bytes.append(contentsOf: s.utf8) }

        // Compact JSON written piece by piece, for a body built without a `Value` tree: `member`
        // and `element` put the comma before every member or element but the first.
        mutating func openObject() { bytes.append(UInt8(ascii: "{")) }
        mutating func closeObject() { bytes.append(UInt8(ascii: "}")) }
        mutating func openArray() { bytes.append(UInt8(ascii: "[")) }
        mutating func closeArray() { bytes.append(UInt8(ascii: "]")) }

        /// `"key":`, after a comma unless it opens its object.
        mutating func member(_ key: String) {
            element()
            writeString(key)
            bytes.append(UInt8(ascii: ":"))
        }

        /// A comma unless the next value opens its array.
        mutating func element() {
            if let last = bytes.last, last != UInt8(ascii: "{") && last != UInt8(ascii: "[") { bytes.append(UInt8(ascii: ",")) }
        }

        private mutating func separator() {
            bytes.append(UInt8(ascii: ","))
            if case .python = style { bytes.append(UInt8(ascii: " ")) }
        }

        private mutating func newline(_ level: Int) {
            if case .indented(let n) = style {
                bytes.append(UInt8(ascii: "\n"))
                bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: n * level))
            }
        }

        /// A JSON string literal, escaping exactly what JSON requires (as Python's `json.dumps`
        /// with `ensure_ascii=False` does: quote, backslash and control characters).
        mutating func writeString(_ s: String) {
            bytes.append(UInt8(ascii: "\""))
            if s.utf8.withContiguousStorageIfAvailable({ appendEscaped($0) }) == nil {
                Array(s.utf8).withUnsafeBufferPointer { appendEscaped($0) }
            }
            bytes.append(UInt8(ascii: "\""))
        }

        /// Copies runs of bytes that need no escaping in one go; escapes are all ASCII, so a run
        /// never splits a character.
        private mutating func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
            var runStart = 0
            for i in 0..<utf8.count {
                let byte = utf8[i]
                if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") { continue }
                if runStart < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "\n"): bytes.append(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"): bytes.append(UInt8(ascii: "r"))
                case UInt8(ascii: "\t"): bytes.append(UInt8(ascii: "t"))
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                default:
                    let hex: StaticString = "0123456789abcdef"
                    bytes.append(UInt8(ascii: "u"))
                    bytes.append(UInt8(ascii: "0"))
                    bytes.append(UInt8(ascii: "0"))
                    bytes.append(hex.utf8Start[Int(byte >> 4)])
                    bytes.append(hex.utf8Start[Int(byte & 0x0F)])
                }
                runStart = i + 1
            }
            if runStart < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
        }
    }

    /// Finds the first balanced `{...}` object in free text (prose or code fences around it).
    static func firstObjectSpan(in text: String) -> Substring? {
        var depth = 0
        var start: String.Index?
        var inString: Character?
        var escaped = false
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if let q = inString {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == q { inString = nil }
            } else if c == "\"" || (c == "'" && depth > 0) {
                if depth > 0 { inString = c }
            } else if c == "{" {
                if depth == 0 { start = i }
                depth += 1
            } else if c == "}" && depth > 0 {
                depth -= 1
                if depth == 0, let s = start { return text[s...i] }
            }
            i = text.index(after: i)
        }
        return nil
    }

    struct Reader {
        let b: [UInt8]
        var i = 0
        let lenient: Bool

        init(_ bytes: [UInt8], lenient: Bool) {
            self.b = bytes
            self.lenient = lenient
        }

        func fail(_ m: String) -> JSONParseError { JSONParseError(message: m, offset: i) }

        mutating func document() throws(JSONParseError) -> Value {
            skipSpace()
            let v = try value(depth: 0)
            skipSpace()
            if i != b.count { throw fail("unexpected trailing characters") }
            return v
        }

        mutating func skipSpace() {
            while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        }

        mutating func value(depth: Int) throws(JSONParseError) -> Value {
            guard depth < 512 else { throw fail("nesting too deep") }
            guard i < b.count else { throw fail("unexpected end of input") }
            switch b[i] {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(close: UInt8(ascii: "]"), depth: depth)
            case UInt8(ascii: "(") where lenient: return try array(close: UInt8(ascii: ")"), depth: depth)
            case UInt8(ascii: "\""): return .string(try string(quote: UInt8(ascii: "\"")))
            case UInt8(ascii: "'") where lenient: return .string(try string(quote: UInt8(ascii: "'")))
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default:
                let word = identifier()
                switch word {
                case "true": return .bool(true)
                case "false": return .bool(false)
                case "null": return .null
                case "True" where lenient: return .bool(true)
                case "False" where lenient: return .bool(false)
                case "None" where lenient: return .null
                case "NaN": return .double(.nan)
                case "Infinity": return .double(.infinity)
                default: throw fail(word.isEmpty ? "unexpected character" : "unknown word '\(word)'")
                }
            }
        }

        mutating func identifier() -> String {
            let start = i
            while i < b.count, isIdent(b[i]) { i += 1 }
            return String(decoding: b[start..<i], as: UTF8.self)
        }

        func isIdent(_ c: UInt8) -> Bool {
            (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x5F
        }

        mutating func object(depth: Int) throws(JSONParseError) -> Value {
            i += 1
            var o = OrderedDictionary<String, Value>()
            skipSpace()
            if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .object(o) }
            while true {
                skipSpace()
                guard i < b.count else { throw fail("unterminated object") }
                let key: String
                if b[i] == UInt8(ascii: "\"") {
                    key = try string(quote: b[i])
                } else if lenient && b[i] == UInt8(ascii: "'") {
                    key = try string(quote: b[i])
                } else if lenient && isIdent(b[i]) {
                    key = identifier()
                } else if lenient && b[i] == UInt8(ascii: "}") {
                    i += 1
                    return .object(o)
                } else {
                    throw fail("expected a string key")
                }
                skipSpace()
                guard i < b.count, b[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                i += 1
                skipSpace()
                o[key] = try value(depth: depth + 1)
                skipSpace()
                guard i < b.count else { throw fail("unterminated object") }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "}") { i += 1; return .object(o) }
                throw fail("expected ',' or '}'")
            }
        }

        mutating func array(close: UInt8, depth: Int) throws(JSONParseError) -> Value {
            i += 1
            var a: [Value] = []
            skipSpace()
            if i < b.count, b[i] == close { i += 1; return .array(a) }
            while true {
                skipSpace()
                if lenient, i < b.count, b[i] == close { i += 1; return .array(a) }
                a.append(try value(depth: depth + 1))
                skipSpace()
                guard i < b.count else { throw fail("unterminated array") }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == close { i += 1; return .array(a) }
                throw fail("expected ',' or '\(Character(UnicodeScalar(close)))'")
            }
        }

        mutating func number() throws(JSONParseError) -> Value {
            let start = i
            if b[i] == UInt8(ascii: "-") { i += 1 }
            var isFloat = false
            while i < b.count {
                let c = b[i]
                if c >= 0x30 && c <= 0x39 {
                    i += 1
                } else if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E")
                    || ((c == UInt8(ascii: "+") || c == UInt8(ascii: "-")) && isFloat)
                {
                    isFloat = true
                    i += 1
                } else {
                    break
                }
            }
            if !isFloat, let n = integer(b[start..<i]) { return .int(n) }
            let text = String(decoding: b[start..<i], as: UTF8.self)
            if !isFloat, let n = Int(text) { return .int(n) }
            if let d = Double(text) { return .double(d) }
            throw fail("invalid number '\(text)'")
        }

        /// Optional sign and decimal digits that fit an `Int`, without a `String` in between.
        func integer(_ digits: ArraySlice<UInt8>) -> Int? {
            var rest = digits
            let negative = rest.first == UInt8(ascii: "-")
            if negative { rest = rest.dropFirst() }
            guard !rest.isEmpty, rest.count <= 18 else { return nil }
            var n = 0
            for c in rest { n = n * 10 + Int(c &- 0x30) }
            return negative ? -n : n
        }

        mutating func string(quote: UInt8) throws(JSONParseError) -> String {
            i += 1
            let start = i
            // Most strings have no escapes: they become a String straight from the input.
            while i < b.count {
                let c = b[i]
                if c == quote {
                    i += 1
                    return String(decoding: b[start..<(i - 1)], as: UTF8.self)
                }
                if c == UInt8(ascii: "\\") || (c < 0x20 && !lenient) { break }
                i += 1
            }
            // The decoded string is no longer than its text up to the closing quote: one allocation.
            var end = i
            while end < b.count && b[end] != quote { end += b[end] == UInt8(ascii: "\\") ? 2 : 1 }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(min(end, b.count) - start)
            bytes.append(contentsOf: b[start..<i])
            while i < b.count {
                let c = b[i]
                if c == quote { i += 1; return String(decoding: bytes, as: UTF8.self) }
                if c == UInt8(ascii: "\\") {
                    i += 1
                    guard i < b.count else { break }
                    let e = b[i]
                    i += 1
                    switch e {
                    case UInt8(ascii: "n"): bytes.append(0x0A)
                    case UInt8(ascii: "t"): bytes.append(0x09)
                    case UInt8(ascii: "r"): bytes.append(0x0D)
                    case UInt8(ascii: "b"): bytes.append(0x08)
                    case UInt8(ascii: "f"): bytes.append(0x0C)
                    case UInt8(ascii: "u"):
                        var scalar = try hex4()
                        if scalar >= 0xD800 && scalar < 0xDC00, i + 1 < b.count, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u") {
                            i += 2
                            let low = try hex4()
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low &- 0xDC00)
                        }
                        UTF8.encode(UnicodeScalar(scalar) ?? "\u{FFFD}") { bytes.append($0) }
                    case UInt8(ascii: "x") where lenient:
                        var v: UInt32 = 0
                        for _ in 0..<2 {
                            guard i < b.count, let h = hexDigit(b[i]) else { throw fail("bad \\x escape") }
                            v = v * 16 + h
                            i += 1
                        }
                        UTF8.encode(UnicodeScalar(v) ?? "\u{FFFD}") { bytes.append($0) }
                    default: bytes.append(e)
                    }
                    continue
                }
                if c < 0x20 && !lenient { throw fail("control character in string") }
                bytes.append(c)
                i += 1
            }
            throw fail("unterminated string")
        }

        mutating func hex4() throws(JSONParseError) -> UInt32 {
            var v: UInt32 = 0
            for _ in 0..<4 {
                guard i < b.count, let h = hexDigit(b[i]) else { throw fail("bad \\u escape") }
                v = v * 16 + h
                i += 1
            }
            return v
        }

        func hexDigit(_ c: UInt8) -> UInt32? {
            switch c {
            case 0x30...0x39: return UInt32(c - 0x30)
            case 0x41...0x46: return UInt32(c - 0x41 + 10)
            case 0x61...0x66: return UInt32(c - 0x61 + 10)
            default: return nil
            }
        }
    }
}
