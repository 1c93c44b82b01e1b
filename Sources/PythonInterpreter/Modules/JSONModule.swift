import BigInt

/// `json`: `dumps`/`loads` (and `load` from an open file) with CPython's formatting and
/// error messages.
enum JSONModule {
    static func make() -> PyModule {
        let m = PyModule(name: "json", doc: "JSON (JavaScript Object Notation) encoder and decoder.")
        m.define("JSONDecodeError", .object(Builtins.jsonDecodeErrorType))
        m.function(
            "dumps", "dumps(obj, *, skipkeys=False, ensure_ascii=True, allow_nan=True, indent=None, separators=None, default=None, sort_keys=False)",
            doc: "Serialize obj to a JSON formatted str."
        ) { ctx, a in
            guard a.count == 1 else { throw PyError.type("dumps() takes 1 positional argument but \(a.count) were given") }
            var options = Encoder.Options()
            for (k, v) in a.keywords {
                switch k {
                case "indent":
                    switch v {
                    case .none: options.indent = nil
                    case .str(let s): options.indent = s
                    default:
                        let n = try ctx.intArg(v)
                        options.indent = String(repeating: " ", count: max(0, min(n, 1000)))
                    }
                case "sort_keys": options.sortKeys = try ctx.truthy(v)
                case "ensure_ascii": options.ensureASCII = try ctx.truthy(v)
                case "allow_nan": options.allowNaN = try ctx.truthy(v)
                case "skipkeys": options.skipKeys = try ctx.truthy(v)
                case "default": options.defaultFunction = ctx.optional(v)
                case "separators":
                    if v.isNone { continue }
                    let parts = try ctx.iterateToArray(v)
                    guard parts.count == 2, case .str(let item) = parts[0], case .str(let key) = parts[1] else {
                        throw PyError.value("separators must be a (item_separator, key_separator) tuple")
                    }
                    options.separators = (item, key)
                case "cls", "check_circular": continue
                default: throw PyError.type("dumps() got an unexpected keyword argument '\(k)'")
                }
            }
            var encoder = Encoder(ctx: ctx, options: options)
            try encoder.encode(a[0], level: 0)
            return .str(encoder.out)
        }
        m.function("loads", "loads(s, **kwargs)", doc: "Deserialize a str containing a JSON document to a Python object.") { ctx, a in
            guard a.count == 1 else { throw PyError.type("loads() missing 1 required positional argument: 's'") }
            guard case .str(let s) = a[0] else {
                throw PyError.type("the JSON object must be str, bytes or bytearray, not \(a[0].typeName)")
            }
            return try decode(ctx, s)
        }
        m.function("load", "load(fp, **kwargs)", doc: "Deserialize a file opened for reading to a Python object.") { ctx, a in
            guard a.count == 1 else { throw PyError.type("load() missing 1 required positional argument: 'fp'") }
            let text = try ctx.call(try ctx.getAttr(a[0], "read"), Args())
            guard case .str(let s) = text else { throw PyError.type("the JSON object must be str") }
            return try decode(ctx, s)
        }
        m.function("dump", "dump(obj, fp, **kwargs)", doc: "Serialize obj to an open file (writing files is not allowed in this shell).") { _, _ in
            throw PyError(Builtins.permissionErrorType, "writing files is not allowed in this shell; use json.dumps(...) and print it, or %save")
        }
        return m
    }

    struct Encoder {
        struct Options {
            var indent: String?
            var sortKeys = false
            var ensureASCII = true
            var allowNaN = true
            var skipKeys = false
            var separators: (String, String)?
            var defaultFunction: PyValue?
        }
        let ctx: ExecContext
        let options: Options
        var out = ""
        var active = Set<ObjectIdentifier>()

        init(ctx: ExecContext, options: Options) {
            self.ctx = ctx
            self.options = options
        }

        var itemSeparator: String { options.separators?.0 ?? (options.indent != nil ? "," : ", ") }
        var keySeparator: String { options.separators?.1 ?? ": " }

        mutating func newline(_ level: Int) {
            guard let indent = options.indent else { return }
            out += "\n" + String(repeating: indent, count: level)
        }

        mutating func string(_ s: String) {
            out += "\""
            for c in s.unicodeScalars {
                switch c {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case "\u{08}": out += "\\b"
                case "\u{0C}": out += "\\f"
                default:
                    if c.value < 0x20 || (options.ensureASCII && c.value > 0x7E) {
                        if c.value > 0xFFFF {
                            let v = c.value - 0x10000
                            out += "\\u" + hex(0xD800 + (v >> 10)) + "\\u" + hex(0xDC00 + (v & 0x3FF))
                        } else {
                            out += "\\u" + hex(c.value)
                        }
                    } else {
                        out.unicodeScalars.append(c)
                    }
                }
            }
            out += "\""
        }

        func hex(_ v: UInt32) -> String { String(v, radix: 16).leftPadded(to: 4, with: "0") }

        mutating func float(_ d: Double) throws {
            if d.isNaN || d.isInfinite {
                guard options.allowNaN else { throw PyError.value("Out of range float values are not JSON compliant") }
                out += d.isNaN ? "NaN" : (d > 0 ? "Infinity" : "-Infinity")
                return
            }
            out += Repr.float(d)
        }

        mutating func key(_ v: PyValue) throws -> String? {
            switch v {
            case .str(let s): return s
            case .int(let i): return String(i)
            case .float(let d):
                if d.isNaN { return "NaN" }
                if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
                return Repr.float(d)
            case .bool(let b): return b ? "true" : "false"
            case .none: return "null"
            case .object(let o as PyBigInt): return o.value.description
            default:
                if options.skipKeys { return nil }
                throw PyError.type("keys must be str, int, float, bool or None, not \(v.typeName)")
            }
        }

        mutating func encode(_ v: PyValue, level: Int) throws {
            try ctx.checkStack()
            switch v {
            case .none: out += "null"
            case .bool(let b): out += b ? "true" : "false"
            case .int(let i): out += String(i)
            case .float(let d): try float(d)
            case .str(let s): string(s)
            case .object(let o):
                if let b = o as? PyBigInt {
                    out += try Repr.bigInt(b.value)
                    return
                }
                let id = ObjectIdentifier(o)
                if o is PyList || o is PyTuple || o is PyDict {
                    guard active.insert(id).inserted else { throw PyError.value("Circular reference detected") }
                }
                defer { active.remove(id) }
                if let items = (o as? PyList)?.items ?? (o as? PyTuple)?.items {
                    if items.isEmpty { out += "[]"; return }
                    out += "["
                    for (i, x) in items.enumerated() {
                        if i > 0 { out += itemSeparator }
                        newline(level + 1)
                        try encode(x, level: level + 1)
                    }
                    newline(level)
                    out += "]"
                    return
                }
                if let d = o as? PyDict {
                    if d.count == 0 { out += "{}"; return }
                    var pairs: [(String, PyValue)] = []
                    for (k, x) in d.pairs { if let ks = try key(k.value) { pairs.append((ks, x)) } }
                    if options.sortKeys {
                        for (k, _) in d.pairs where k.value.stringValue == nil && !ctx.isNumber(k.value) && !k.value.isNone {
                            throw PyError.type("'<' not supported between instances")
                        }
                        pairs.sort { ctx.compareStrings($0.0, $1.0) < 0 }
                    }
                    out += "{"
                    for (i, (k, x)) in pairs.enumerated() {
                        if i > 0 { out += itemSeparator }
                        newline(level + 1)
                        string(k)
                        out += keySeparator
                        try encode(x, level: level + 1)
                    }
                    newline(level)
                    out += "}"
                    return
                }
                if let f = options.defaultFunction {
                    try encode(try ctx.call(f, Args([v])), level: level)
                    return
                }
                throw PyError.type("Object of type \(o.type.name) is not JSON serializable")
            }
        }
    }

    static func decode(_ ctx: ExecContext, _ s: String) throws -> PyValue {
        var p = Decoder(ctx: ctx, chars: Array(s.unicodeScalars))
        p.skipSpace()
        let v = try p.value()
        p.skipSpace()
        if p.i < p.chars.count { throw p.error("Extra data", at: p.i) }
        return v
    }

    struct Decoder {
        let ctx: ExecContext
        let chars: [Unicode.Scalar]
        var i = 0

        init(ctx: ExecContext, chars: [Unicode.Scalar]) {
            self.ctx = ctx
            self.chars = chars
        }

        func error(_ message: String, at pos: Int) -> PyError {
            var line = 1, col = 1
            for c in chars[0..<min(pos, chars.count)] {
                if c == "\n" { line += 1; col = 1 } else { col += 1 }
            }
            let e = PyExceptionObject(cls: Builtins.jsonDecodeErrorType, args: [.str("\(message): line \(line) column \(col) (char \(pos))")])
            e.dict.setString("msg", .str(message))
            e.dict.setString("pos", .int(pos))
            e.dict.setString("lineno", .int(line))
            e.dict.setString("colno", .int(col))
            return PyError(e)
        }

        mutating func skipSpace() {
            while i < chars.count, chars[i] == " " || chars[i] == "\t" || chars[i] == "\n" || chars[i] == "\r" { i += 1 }
        }

        func starts(_ word: String) -> Bool {
            let w = Array(word.unicodeScalars)
            return i + w.count <= chars.count && Array(chars[i..<(i + w.count)]) == w
        }

        mutating func value() throws -> PyValue {
            try ctx.checkStack()
            guard i < chars.count else { throw error("Expecting value", at: i) }
            switch chars[i] {
            case "{": return try object()
            case "[": return try array()
            case "\"": return .str(try string())
            case "t" where starts("true"): i += 4; return .true
            case "f" where starts("false"): i += 5; return .false
            case "n" where starts("null"): i += 4; return .none
            case "N" where starts("NaN"): i += 3; return .float(.nan)
            case "I" where starts("Infinity"): i += 8; return .float(.infinity)
            case "-" where i + 1 < chars.count && chars[i + 1] == "I":
                if starts("-Infinity") { i += 9; return .float(-.infinity) }
                throw error("Expecting value", at: i)
            default: return try number()
            }
        }

        mutating func number() throws -> PyValue {
            let start = i
            if i < chars.count, chars[i] == "-" { i += 1 }
            guard i < chars.count, ("0"..."9").contains(chars[i]) else { throw error("Expecting value", at: start) }
            if chars[i] == "0" { i += 1 } else { while i < chars.count, ("0"..."9").contains(chars[i]) { i += 1 } }
            var isFloat = false
            if i + 1 < chars.count, chars[i] == ".", ("0"..."9").contains(chars[i + 1]) {
                isFloat = true
                i += 1
                while i < chars.count, ("0"..."9").contains(chars[i]) { i += 1 }
            }
            if i < chars.count, chars[i] == "e" || chars[i] == "E" {
                var j = i + 1
                if j < chars.count, chars[j] == "+" || chars[j] == "-" { j += 1 }
                if j < chars.count, ("0"..."9").contains(chars[j]) {
                    isFloat = true
                    i = j
                    while i < chars.count, ("0"..."9").contains(chars[i]) { i += 1 }
                }
            }
            let text = String(String.UnicodeScalarView(chars[start..<i]))
            if isFloat { return .float(Double(text) ?? 0) }
            if let n = Int(text) { return .int(n) }
            if text.count > Repr.maxIntDigits { throw PyError.value("Exceeds the limit (\(Repr.maxIntDigits) digits) for integer string conversion") }
            return .int(BigInt(text) ?? 0)
        }

        mutating func string() throws -> String {
            let start = i
            i += 1
            var out = String.UnicodeScalarView()
            while true {
                guard i < chars.count else { throw error("Unterminated string starting at", at: start) }
                let c = chars[i]
                if c == "\"" { i += 1; break }
                if c.value < 0x20 { throw error("Invalid control character at", at: i) }
                if c == "\\" {
                    guard i + 1 < chars.count else { throw error("Unterminated string starting at", at: start) }
                    let e = chars[i + 1]
                    switch e {
                    case "\"": out.append("\"")
                    case "\\": out.append("\\")
                    case "/": out.append("/")
                    case "b": out.append("\u{08}")
                    case "f": out.append("\u{0C}")
                    case "n": out.append("\n")
                    case "r": out.append("\r")
                    case "t": out.append("\t")
                    case "u":
                        var v = try hex4(i + 2)
                        i += 4
                        if (0xD800..<0xDC00).contains(v), i + 7 < chars.count + 1, i + 2 < chars.count, chars[i + 2] == "\\", chars[i + 3] == "u",
                            let low = try? hex4(i + 4), (0xDC00..<0xE000).contains(low)
                        {
                            v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
                            i += 6
                        }
                        out.append(Unicode.Scalar(v) ?? "\u{FFFD}")
                    default: throw error("Invalid \\escape", at: i)
                    }
                    i += 2
                    continue
                }
                out.append(c)
                i += 1
            }
            return String(out)
        }

        func hex4(_ at: Int) throws -> UInt32 {
            guard at + 4 <= chars.count else { throw error("Invalid \\uXXXX escape", at: at - 1) }
            let text = String(String.UnicodeScalarView(chars[at..<(at + 4)]))
            guard let v = UInt32(text, radix: 16), text.allSatisfy(\.isHexDigit) else { throw error("Invalid \\uXXXX escape", at: at - 1) }
            return v
        }

        mutating func array() throws -> PyValue {
            i += 1
            var items: [PyValue] = []
            skipSpace()
            if i < chars.count, chars[i] == "]" { i += 1; return .object(PyList()) }
            while true {
                skipSpace()
                items.append(try value())
                skipSpace()
                guard i < chars.count else { throw error("Expecting ',' delimiter", at: i) }
                if chars[i] == "]" { i += 1; break }
                guard chars[i] == "," else { throw error("Expecting ',' delimiter", at: i) }
                i += 1
                skipSpace()
                if i < chars.count, chars[i] == "]" { throw error("Expecting value", at: i) }
            }
            return .object(PyList(items))
        }

        mutating func object() throws -> PyValue {
            i += 1
            let d = PyDict()
            skipSpace()
            if i < chars.count, chars[i] == "}" { i += 1; return .object(d) }
            while true {
                skipSpace()
                guard i < chars.count, chars[i] == "\"" else {
                    throw error("Expecting property name enclosed in double quotes", at: i)
                }
                let k = try string()
                skipSpace()
                guard i < chars.count, chars[i] == ":" else { throw error("Expecting ':' delimiter", at: i) }
                i += 1
                skipSpace()
                d.setString(k, try value())
                skipSpace()
                guard i < chars.count else { throw error("Expecting ',' delimiter", at: i) }
                if chars[i] == "}" { i += 1; break }
                guard chars[i] == "," else { throw error("Expecting ',' delimiter", at: i) }
                i += 1
                skipSpace()
                if i < chars.count, chars[i] == "}" { throw error("Expecting property name enclosed in double quotes", at: i) }
            }
            return .object(d)
        }
    }
}

extension Builtins {
    public static let jsonDecodeErrorType = exceptionType("JSONDecodeError", valueErrorType, module: "json.decoder")
}
