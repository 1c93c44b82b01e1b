import BigInt

/// Python's format-spec mini-language (`format(x, ".2f")`, f-strings, `str.format`).
struct FormatSpec {
    var fill: Character = " "
    var align: Character?
    var sign: Character = "-"
    var alternate = false
    var zeroPad = false
    var width: Int?
    var grouping: Character?
    var precision: Int?
    var type: Character?

    static func parse(_ spec: String) throws -> FormatSpec {
        var s = FormatSpec()
        let c = Array(spec)
        var i = 0
        func isAlign(_ ch: Character) -> Bool { "<>^=".contains(ch) }
        if c.count >= 2 && isAlign(c[1]) {
            s.fill = c[0]
            s.align = c[1]
            i = 2
        } else if c.count >= 1 && isAlign(c[0]) {
            s.align = c[0]
            i = 1
        }
        if i < c.count, "+- ".contains(c[i]) {
            s.sign = c[i]
            i += 1
        }
        if i < c.count, c[i] == "z" { i += 1 }
        if i < c.count, c[i] == "#" {
            s.alternate = true
            i += 1
        }
        if i < c.count, c[i] == "0" {
            s.zeroPad = true
            i += 1
        }
        var digits = ""
        while i < c.count, c[i].isASCII, c[i].isNumber {
            digits.append(c[i])
            i += 1
        }
        if !digits.isEmpty {
            guard let w = Int(digits), w < 1_000_000 else { throw PyError.value("Too many decimal digits in format string") }
            s.width = w
        }
        if i < c.count, c[i] == "," || c[i] == "_" {
            s.grouping = c[i]
            i += 1
        }
        if i < c.count, c[i] == "." {
            i += 1
            var p = ""
            while i < c.count, c[i].isASCII, c[i].isNumber {
                p.append(c[i])
                i += 1
            }
            guard let n = Int(p), n < 1_000_000 else { throw PyError.value("Format specifier missing precision") }
            s.precision = n
        }
        if i < c.count {
            s.type = c[i]
            i += 1
        }
        if i < c.count { throw PyError.value("Invalid format specifier '\(spec)' for object") }
        if s.zeroPad && s.align == nil {
            s.fill = "0"
            s.align = "="
        }
        return s
    }

    /// Pads `body` (with `prefix` being the sign and radix prefix) to the width.
    func pad(_ body: String, prefix: String = "", defaultAlign: Character) -> String {
        let total = prefix.count + body.count
        guard let width, width > total else { return prefix + body }
        let padding = width - total
        switch align ?? defaultAlign {
        case "<": return prefix + body + String.repeating(fill, count: padding)
        case "^":
            let left = padding / 2
            return String.repeating(fill, count: left) + prefix + body + String.repeating(fill, count: padding - left)
        case "=": return prefix + String.repeating(fill, count: padding) + body
        default: return String.repeating(fill, count: padding) + prefix + body
        }
    }

    static func group(_ digits: String, every n: Int, with sep: Character) -> String {
        var out: [Character] = []
        for (i, d) in digits.reversed().enumerated() {
            if i > 0 && i % n == 0 { out.append(sep) }
            out.append(d)
        }
        return String(out.reversed())
    }
}

extension ExecContext {
    /// `format(value, spec)`.
    public func format(_ v: PyValue, _ specText: String) throws -> String {
        switch v {
        case .str(let s): return try formatString(s, specText)
        case .bool(let b):
            if specText.isEmpty { return b ? "True" : "False" }
            return try formatInt(BigInt(b ? 1 : 0), specText)
        case .int(let i): return try formatInt(BigInt(i), specText)
        case .float(let d): return try formatFloat(d, specText)
        case .object(let o):
            if let b = o as? PyBigInt { return try formatInt(b.value, specText) }
            if !o.type.isBuiltin || o is PyInstance, let m = o.type.lookup("__format__"), !isObjectSlot(m, "__format__") {
                let r = try callDescriptor(m, self: v, Args([.str(specText)]))
                guard case .str(let s) = r else { throw PyError.type("__format__ must return a str, not \(r.typeName)") }
                return s
            }
            if specText.isEmpty { return try str(v) }
            let spec = try FormatSpec.parse(specText)
            if spec.type == nil && spec.precision == nil && spec.sign == "-" && spec.grouping == nil {
                return spec.pad(try str(v), defaultAlign: "<")
            }
            throw PyError.type("unsupported format string passed to \(v.typeName).__format__")
        case .none:
            if specText.isEmpty { return "None" }
            throw PyError.type("unsupported format string passed to NoneType.__format__")
        }
    }

    func formatString(_ s: String, _ specText: String) throws -> String {
        if specText.isEmpty { return s }
        let spec = try FormatSpec.parse(specText)
        if let t = spec.type, t != "s" { throw PyError.value("Unknown format code '\(t)' for object of type 'str'") }
        if spec.sign != "-" { throw PyError.value("Sign not allowed in string format specifier") }
        if spec.align == "=" { throw PyError.value("'=' alignment not allowed in string format specifier") }
        if spec.grouping != nil { throw PyError.value("Cannot specify '\(spec.grouping ?? ",")' with 's'.") }
        var body = s
        if let p = spec.precision, StringIndex.count(s) > p { body = String(String.UnicodeScalarView(s.unicodeScalars.prefix(p))) }
        return spec.pad(body, defaultAlign: "<")
    }

    func formatInt(_ value: BigInt, _ specText: String) throws -> String {
        if specText.isEmpty { return try Repr.bigInt(value) }
        let spec = try FormatSpec.parse(specText)
        let type = spec.type ?? "d"
        switch type {
        case "e", "E", "f", "F", "g", "G", "%":
            return try formatFloat(try Arith.toDouble(value), specText)
        case "d", "n", "b", "o", "x", "X", "c": break
        case "s": throw PyError.value("Unknown format code 's' for object of type 'int'")
        default: throw PyError.value("Unknown format code '\(type)' for object of type 'int'")
        }
        if spec.precision != nil { throw PyError.value("Precision not allowed in integer format specifier") }
        let negative = value.sign == .minus && !value.isZero
        var digits: String
        var prefix = negative ? "-" : (spec.sign == "+" ? "+" : spec.sign == " " ? " " : "")
        switch type {
        case "c":
            guard let code = Int(exactly: value), code >= 0, code <= 0x10FFFF, let sc = Unicode.Scalar(code) else {
                throw PyError.overflow("%c arg not in range(0x110000)")
            }
            return spec.pad(String(sc), defaultAlign: "<")
        case "b": digits = String(value.magnitude, radix: 2); if spec.alternate { prefix += "0b" }
        case "o": digits = String(value.magnitude, radix: 8); if spec.alternate { prefix += "0o" }
        case "x": digits = String(value.magnitude, radix: 16); if spec.alternate { prefix += "0x" }
        case "X": digits = String(value.magnitude, radix: 16).uppercased(); if spec.alternate { prefix += "0X" }
        default: digits = try Repr.bigInt(BigInt(value.magnitude))
        }
        if let g = spec.grouping {
            digits = FormatSpec.group(digits, every: type == "d" || type == "n" ? 3 : 4, with: g)
        }
        if spec.align == "=" && spec.fill == "0", let g = spec.grouping, let w = spec.width {
            // Zero padding also gets group separators, as CPython does.
            var raw = digits.filter { $0 != g }
            while FormatSpec.group(raw, every: 3, with: g).count + prefix.count < w { raw = "0" + raw }
            digits = FormatSpec.group(raw, every: type == "d" ? 3 : 4, with: g)
            return prefix + digits
        }
        return spec.pad(digits, prefix: prefix, defaultAlign: ">")
    }

    func formatFloat(_ value: Double, _ specText: String) throws -> String {
        if specText.isEmpty { return Repr.float(value) }
        let spec = try FormatSpec.parse(specText)
        var type = spec.type
        switch type {
        case nil, "e", "E", "f", "F", "g", "G", "%", "n": break
        default: throw PyError.value("Unknown format code '\(type.map(String.init) ?? "")' for object of type 'float'")
        }
        if type == "n" { type = "g" }
        let negative = value.sign == .minus && !value.isNaN
        let magnitude = value.magnitude
        var body: String
        if magnitude.isNaN || magnitude.isInfinite {
            body = magnitude.isNaN ? "nan" : "inf"
            if let t = type, t.isUppercase { body = body.uppercased() }
            if type == "%" { body += "%" }
        } else {
            switch type {
            case nil:
                if let p = spec.precision {
                    body = FormatSpec.generalWithDot(magnitude, precision: max(p, 1), alternate: spec.alternate)
                } else {
                    body = Repr.float(magnitude)
                }
            case "%":
                body = Arith.cFormat(magnitude * 100, "%\(spec.alternate ? "#" : "").\(spec.precision ?? 6)f") + "%"
            default:
                let t = type ?? "g"
                body = Arith.cFormat(magnitude, "%\(spec.alternate ? "#" : "").\(spec.precision ?? 6)\(t)")
            }
            if let g = spec.grouping {
                let endOfInt = body.firstIndex { !$0.isNumber } ?? body.endIndex
                let intPart = String(body[..<endOfInt])
                body = FormatSpec.group(intPart, every: 3, with: g) + body[endOfInt...]
            }
        }
        let prefix = negative ? "-" : (spec.sign == "+" ? "+" : spec.sign == " " ? " " : "")
        return spec.pad(body, prefix: prefix, defaultAlign: ">")
    }

    /// `str.format(*args, **kwargs)`.
    public func formatMethod(_ template: String, _ args: Args) throws -> String {
        var auto = 0
        var usedManual = false, usedAuto = false
        return try expandFormat(template, args, auto: &auto, usedManual: &usedManual, usedAuto: &usedAuto, depth: 0)
    }

    private func expandFormat(
        _ template: String, _ args: Args, auto: inout Int, usedManual: inout Bool, usedAuto: inout Bool,
        depth: Int
    ) throws -> String {
        if depth > 2 { throw PyError.value("Max string recursion exceeded") }
        let c = Array(template)
        var out = ""
        var i = 0
        while i < c.count {
            let ch = c[i]
            if ch == "{" {
                if i + 1 < c.count && c[i + 1] == "{" {
                    out.append("{")
                    i += 2
                    continue
                }
                var j = i + 1
                var nesting = 0
                while j < c.count {
                    if c[j] == "{" { nesting += 1 } else if c[j] == "}" { if nesting == 0 { break }; nesting -= 1 }
                    j += 1
                }
                guard j < c.count else { throw PyError.value("expected '}' before end of string") }
                let field = String(c[(i + 1)..<j])
                // Split field_name!conversion:spec (the name part has no ':' or '!' outside brackets).
                var nameEnd = field.endIndex
                var inBracket = false
                for idx in field.indices {
                    let f = field[idx]
                    if f == "[" { inBracket = true } else if f == "]" { inBracket = false }
                    if !inBracket && (f == "!" || f == ":") { nameEnd = idx; break }
                }
                let name = String(field[..<nameEnd])
                var rest = field[nameEnd...]
                var conversion: Character?
                if rest.first == "!" {
                    rest = rest.dropFirst()
                    guard let conv = rest.first else { throw PyError.value("end of string while looking for conversion specifier") }
                    conversion = conv
                    rest = rest.dropFirst()
                    if let next = rest.first, next != ":" { throw PyError.value("expected ':' after conversion specifier") }
                }
                var spec = ""
                if rest.first == ":" { spec = String(rest.dropFirst()) }
                if spec.contains("{") {
                    spec = try expandFormat(spec, args, auto: &auto, usedManual: &usedManual, usedAuto: &usedAuto, depth: depth + 1)
                }
                var value = try resolveField(name, args, auto: &auto, usedManual: &usedManual, usedAuto: &usedAuto)
                switch conversion {
                case nil: break
                case "r": value = .str(try repr(value))
                case "s": value = .str(try str(value))
                case "a": value = .str(ascii(try repr(value)))
                case let other?: throw PyError.value("Unknown conversion specifier \(other)")
                }
                out += try format(value, spec)
                i = j + 1
            } else if ch == "}" {
                if i + 1 < c.count && c[i + 1] == "}" {
                    out.append("}")
                    i += 2
                    continue
                }
                throw PyError.value("Single '}' encountered in format string")
            } else {
                out.append(ch)
                i += 1
            }
        }
        return out
    }

    private func resolveField(_ field: String, _ args: Args, auto: inout Int, usedManual: inout Bool, usedAuto: inout Bool) throws -> PyValue {
        // The first part: an index, a name, or empty (automatic numbering).
        let chars = Array(field)
        var k = 0
        while k < chars.count, chars[k] != "." && chars[k] != "[" { k += 1 }
        let first = String(chars[..<k])
        var value: PyValue
        if first.isEmpty {
            if usedManual { throw PyError.value("cannot switch from manual field specification to automatic field numbering") }
            usedAuto = true
            guard auto < args.positional.count else {
                throw PyError.index("Replacement index \(auto) out of range for positional args tuple")
            }
            value = args.positional[auto]
            auto += 1
        } else if let n = Int(first) {
            if usedAuto { throw PyError.value("cannot switch from automatic field numbering to manual field specification") }
            usedManual = true
            guard n < args.positional.count else {
                throw PyError.index("Replacement index \(n) out of range for positional args tuple")
            }
            value = args.positional[n]
        } else {
            guard let v = args.keyword(first) else { throw PyError.key(.str(first)) }
            value = v
        }
        while k < chars.count {
            if chars[k] == "." {
                var e = k + 1
                while e < chars.count, chars[e] != "." && chars[e] != "[" { e += 1 }
                value = try getAttr(value, String(chars[(k + 1)..<e]))
                k = e
            } else {
                guard let close = chars[k...].firstIndex(of: "]") else { throw PyError.value("Missing ']' in format string") }
                let key = String(chars[(k + 1)..<close])
                value = try getItem(value, Int(key).map { .int($0) } ?? .str(key))
                k = close + 1
            }
        }
        return value
    }

    /// `ascii()`: non-ASCII characters escaped.
    func ascii(_ s: String) -> String {
        var out = ""
        for sc in s.unicodeScalars {
            if sc.isASCII {
                out.unicodeScalars.append(sc)
            } else if sc.value < 0x100 {
                out += "\\x" + String(sc.value, radix: 16).leftPadded(to: 2, with: "0")
            } else if sc.value < 0x10000 {
                out += "\\u" + String(sc.value, radix: 16).leftPadded(to: 4, with: "0")
            } else {
                out += "\\U" + String(sc.value, radix: 16).leftPadded(to: 8, with: "0")
            }
        }
        return out
    }
}

/// `"text %s" % values`.
enum PercentFormat {
    static func format(_ ctx: ExecContext, _ template: String, _ values: PyValue) throws -> String {
        let c = Array(template)
        var args: [PyValue]
        var mapping: PyValue?
        if let t = values.as(PyTuple.self) { args = t.items } else { args = [values] }
        if case .object(let o) = values,
            o is PyDict || (!(o is PyTuple) && !(o is PyList) && ctx.special(values, "__getitem__") != nil && !(o is PyList))
        {
            mapping = values
        }
        var next = 0
        var out = ""
        var i = 0
        var usedMapping = false
        func nextArg() throws -> PyValue {
            guard next < args.count else { throw PyError.type("not enough arguments for format string") }
            defer { next += 1 }
            return args[next]
        }
        while i < c.count {
            guard c[i] == "%" else {
                out.append(c[i])
                i += 1
                continue
            }
            let start = i
            i += 1
            guard i < c.count else { throw PyError.value("incomplete format") }
            var key: String?
            if c[i] == "(" {
                var depth = 1
                var j = i + 1
                while j < c.count, depth > 0 {
                    if c[j] == "(" { depth += 1 } else if c[j] == ")" { depth -= 1 }
                    j += 1
                }
                guard depth == 0 else { throw PyError.value("incomplete format key") }
                key = String(c[(i + 1)..<(j - 1)])
                i = j
            }
            var flags = ""
            while i < c.count, "-+ #0".contains(c[i]) {
                flags.append(c[i])
                i += 1
            }
            var width = ""
            if i < c.count, c[i] == "*" {
                let w = try nextArg()
                guard let n = w.smallInt else { throw PyError.type("* wants int") }
                width = String(n)
                i += 1
            } else {
                while i < c.count, c[i].isASCII, c[i].isNumber { width.append(c[i]); i += 1 }
            }
            var precision: String?
            if i < c.count, c[i] == "." {
                i += 1
                var p = ""
                if i < c.count, c[i] == "*" {
                    let w = try nextArg()
                    guard let n = w.smallInt else { throw PyError.type("* wants int") }
                    p = String(n)
                    i += 1
                } else {
                    while i < c.count, c[i].isASCII, c[i].isNumber { p.append(c[i]); i += 1 }
                }
                precision = p.isEmpty ? "0" : p
            }
            while i < c.count, "hlL".contains(c[i]) { i += 1 }
            guard i < c.count else { throw PyError.value("incomplete format") }
            let conv = c[i]
            i += 1
            if conv == "%" {
                out.append("%")
                continue
            }
            let value: PyValue
            if let key {
                guard let m = mapping else { throw PyError.type("format requires a mapping") }
                value = try ctx.getItem(m, .str(key))
                usedMapping = true
            } else {
                value = try nextArg()
            }
            var spec = ""
            if flags.contains("-") { spec += "<" } else if flags.contains("0") && "diouxXeEfFgG".contains(conv) { spec += "=" } else { spec += ">" }
            if flags.contains("+") { spec += "+" } else if flags.contains(" ") { spec += " " }
            if flags.contains("#") { spec += "#" }
            let fill = flags.contains("0") && !flags.contains("-") && "diouxXeEfFgG".contains(conv) ? "0" : ""
            let piece: String
            switch conv {
            case "s":
                piece = try ctx.format(.str(try ctx.str(value)), ">" + width + (precision.map { "." + $0 } ?? ""))
                if flags.contains("-") { out += try ctx.format(.str(try ctx.str(value)), "<" + width + (precision.map { "." + $0 } ?? "")); continue }
            case "r", "a":
                let r = conv == "r" ? try ctx.repr(value) : ctx.ascii(try ctx.repr(value))
                piece = try ctx.format(.str(r), (flags.contains("-") ? "<" : ">") + width + (precision.map { "." + $0 } ?? ""))
            case "d", "i", "u":
                guard ctx.isNumber(value) else {
                    throw PyError.type("%\(conv) format: a real number is required, not \(value.typeName)")
                }
                let intValue: BigInt
                if case .float(let d) = value {
                    guard d.isFinite else { throw PyError.overflow("cannot convert float \(d.isNaN ? "NaN" : "infinity") to integer") }
                    intValue = BigInt(d.rounded(.towardZero))
                } else {
                    intValue = value.bigInt ?? 0
                }
                var s = try ctx.formatInt(intValue, spec.replacingOccurrences(of: "#", with: "") + (fill.isEmpty ? "" : "") + width + "d")
                if fill == "0", let w = Int(width) { s = try ctx.formatInt(intValue, (flags.contains("+") ? "+" : "") + "0\(w)d") }
                if let p = precision, let pn = Int(p), pn > 0 {
                    let digits = String(intValue.magnitude).leftPadded(to: pn, with: "0")
                    s = try ctx.format(.str((intValue.sign == .minus ? "-" : "") + digits), (flags.contains("-") ? "<" : ">") + width)
                }
                piece = s
            case "x", "X", "o":
                guard let iv = value.bigInt else {
                    throw PyError.type("%\(conv) format: an integer is required, not \(value.typeName)")
                }
                let alt = flags.contains("#")
                let w = fill == "0" ? "0" + width : width
                piece = try ctx.formatInt(
                    iv, (flags.contains("-") ? "<" : "") + (flags.contains("+") ? "+" : "") + (alt ? "#" : "") + w + String(conv))
            case "e", "E", "f", "F", "g", "G":
                guard ctx.isNumber(value) else {
                    throw PyError.type("must be real number, not \(value.typeName)")
                }
                let d = try ctx.toDouble(value)
                let w = fill == "0" ? "0" + width : width
                piece = try ctx.formatFloat(
                    d,
                    (flags.contains("-") ? "<" : "") + (flags.contains("+") ? "+" : flags.contains(" ") ? " " : "") + (flags.contains("#") ? "#" : "")
                        + w + "." + (precision ?? "6") + String(conv))
            case "c":
                if case .str(let s) = value, s.unicodeScalars.count == 1 {
                    piece = try ctx.format(value, (flags.contains("-") ? "<" : ">") + width)
                } else if let n = value.smallInt, let sc = Unicode.Scalar(n) {
                    piece = try ctx.format(.str(String(sc)), (flags.contains("-") ? "<" : ">") + width)
                } else {
                    throw PyError.type("%c requires int or char")
                }
            default:
                let code = conv.unicodeScalars.first.map { String($0.value, radix: 16) } ?? "0"
                throw PyError.value("unsupported format character '\(conv)' (0x\(code)) at index \(i - 1)")
            }
            _ = start
            out += piece
        }
        if mapping == nil || !usedMapping, next < args.count, !(mapping != nil && args.count == 1) {
            throw PyError.type("not all arguments converted during string formatting")
        }
        return out
    }
}

extension FormatSpec {
    /// CPython's format for a float with a precision and no type: `g`, except that the
    /// exponent form starts one digit earlier and a fixed-point result always shows ".0".
    static func generalWithDot(_ x: Double, precision p: Int, alternate: Bool) -> String {
        let flag = alternate ? "#" : ""
        let exponentForm = Arith.cFormat(x, "%\(flag).\(p - 1)e")
        let exponent = exponentForm.split(separator: "e").last.flatMap { Int($0) } ?? 0
        if exponent < -4 || exponent >= p - 1 {
            return stripMantissaZeros(exponentForm, keep: alternate)
        }
        var body = Arith.cFormat(x, "%\(flag).\(p)g")
        if !body.contains(".") { body += ".0" }
        return body
    }

    static func stripMantissaZeros(_ s: String, keep: Bool) -> String {
        guard !keep, let e = s.firstIndex(of: "e") else { return s }
        var mantissa = String(s[..<e])
        if mantissa.contains(".") {
            while mantissa.hasSuffix("0") { mantissa.removeLast() }
            if mantissa.hasSuffix(".") { mantissa.removeLast() }
        }
        return mantissa + s[e...]
    }
}
