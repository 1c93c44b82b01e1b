import BigInt

/// `repr()` and `str()` of values, as CPython renders them.
public enum Repr {
    /// CPython's limit on converting big ints to decimal text.
    public static let maxIntDigits = 4300

    /// The repr of a value that needs no user code (builtin values only); objects fall back to
    /// their default `<... object at 0x...>` form.
    public static func plain(_ v: PyValue) -> String {
        switch v {
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .float(let d): return float(d)
        case .str(let s): return string(s)
        case .object(let o):
            if let b = o as? PyBigInt { return (try? bigInt(b.value)) ?? "<int>" }
            if let l = o as? PyList { return "[" + l.items.map(plain).joined(separator: ", ") + "]" }
            if let t = o as? PyTuple {
                return t.items.count == 1 ? "(\(plain(t.items[0])),)" : "(" + t.items.map(plain).joined(separator: ", ") + ")"
            }
            return defaultRepr(o)
        }
    }

    /// `str()` of a builtin value without user code.
    public static func plainStr(_ v: PyValue) -> String {
        if case .str(let s) = v { return s }
        return plain(v)
    }

    public static func address(_ o: AnyObject) -> String {
        "0x" + String(UInt(bitPattern: ObjectIdentifier(o).hashValue), radix: 16).leftPadded(to: 12, with: "0")
    }

    static func defaultRepr(_ o: PyObject) -> String {
        switch o {
        case let t as PyType: return "<class '\(t.displayName)'>"
        case let f as PyFunction: return "<function \(f.qualname) at \(address(f))>"
        case let f as PyBuiltinFunction:
            if let owner = f.owner { return "<built-in method \(f.name) of \(owner)>" }
            return "<built-in function \(f.name)>"
        case let m as PyModule: return "<module '\(m.name)' (built-in)>"
        case let s as PySingleton: return s.name
        case let m as PyNativeMethod: return "<method '\(m.name)' objects>"
        default:
            let t = o.type!
            return "<\(t.displayName) object at \(address(o))>"
        }
    }

    static func bigInt(_ b: BigInt) throws -> String {
        // A quick size estimate before the (quadratic) conversion.
        if b.magnitude.bitWidth > 14_300 {
            let digits = Int(Double(b.magnitude.bitWidth) * 0.30103) + 1
            if digits > maxIntDigits {
                throw PyError.value(
                    "Exceeds the limit (\(maxIntDigits) digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit"
                )
            }
        }
        // The exact count, for ints just under the estimate's threshold (10 ** 4300).
        let text = b.description
        if text.utf8.count - (b.sign == .minus ? 1 : 0) > maxIntDigits {
            throw PyError.value(
                "Exceeds the limit (\(maxIntDigits) digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit")
        }
        return text
    }

    /// Python's repr of a float: the shortest text that reads back as the same number.
    public static func float(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        let (negative, digits, decpt) = shortestDigits(d)
        var out = negative ? "-" : ""
        if decpt <= -4 || decpt > 16 {
            out += String(digits.first ?? "0")
            if digits.count > 1 { out += "." + digits.dropFirst() }
            let e = decpt - 1
            out += "e" + (e < 0 ? "-" : "+") + String(abs(e)).leftPadded(to: 2, with: "0")
        } else if decpt <= 0 {
            out += "0." + String(repeating: "0", count: -decpt) + digits
        } else if decpt >= digits.count {
            out += digits + String(repeating: "0", count: decpt - digits.count) + ".0"
        } else {
            let i = digits.index(digits.startIndex, offsetBy: decpt)
            out += digits[..<i] + "." + digits[i...]
        }
        return out
    }

    /// The shortest round-trip decimal digits of `d` and the decimal point position
    /// (value = 0.DIGITS × 10^decpt), taken from Swift's own shortest formatting.
    static func shortestDigits(_ d: Double) -> (negative: Bool, digits: String, decpt: Int) {
        var text = d.magnitude.description
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        var intPart = text
        var fracPart = ""
        if let dot = text.firstIndex(of: ".") {
            intPart = String(text[..<dot])
            fracPart = String(text[text.index(after: dot)...])
        }
        var digits = intPart + fracPart
        var decpt = intPart.count + exponent
        while digits.hasPrefix("0") && digits.count > 1 {
            digits.removeFirst()
            decpt -= 1
        }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        return (d.sign == .minus, digits, decpt)
    }

    /// Python's repr of a string: single quotes unless the text has `'` and no `"`.
    public static func string(_ s: String) -> String {
        // Byte scans and scalar comparisons: Character-based ones took seconds per 100 MB.
        let quoteScalar: Unicode.Scalar = s.utf8.contains(0x27) && !s.utf8.contains(0x22) ? "\"" : "'"
        let quote = Character(quoteScalar)
        let quoteByte = UInt8(quoteScalar.value)
        // Printable ASCII with no backslash and no quote is its own repr between quotes.
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x5C && $0 != quoteByte }) { return String(quote) + s + String(quote) }
        var out = String(quote)
        out.reserveCapacity(s.utf8.count + 2)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar == quoteScalar {
                    out += "\\" + String(quote)
                } else if isPrintable(scalar) {
                    out.unicodeScalars.append(scalar)
                } else if scalar.value < 0x100 {
                    out += "\\x" + String(scalar.value, radix: 16).leftPadded(to: 2, with: "0")
                } else if scalar.value < 0x10000 {
                    out += "\\u" + String(scalar.value, radix: 16).leftPadded(to: 4, with: "0")
                } else {
                    out += "\\U" + String(scalar.value, radix: 16).leftPadded(to: 8, with: "0")
                }
            }
        }
        out.append(quote)
        return out
    }

    /// Python's `str.isprintable` for one character.
    static func isPrintable(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x7F { return s.value >= 0x20 }
        if s.value < 0xA1 { return false }
        switch s.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator, .spaceSeparator:
            return s == " "
        default:
            return true
        }
    }
}

extension String {
    /// Python's `==` on str: the same code points (Swift's `==` also equates canonically
    /// equivalent strings, `"e\u{301}" == "é"`, which Python does not).
    func sameCodePoints(as other: String) -> Bool {
        utf8.count == other.utf8.count && utf8.elementsEqual(other.utf8)
    }

    func leftPadded(to width: Int, with pad: Character) -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}

extension ExecContext {
    /// `repr(v)`, calling user `__repr__` methods.
    public func repr(_ v: PyValue) throws -> String {
        if let m = userOverride(v, "__repr__") {
            let r = try callDescriptor(m, self: v, Args())
            guard case .str(let s) = r.unboxed else { throw PyError.type("__repr__ returned non-string (type \(r.typeName))") }
            return s
        }
        return try builtinRepr(v)
    }

    /// `repr(v)` for the builtin types, ignoring overrides in user subclasses.
    func builtinRepr(_ v: PyValue) throws -> String {
        switch v {
        case .none, .bool, .int, .float, .str: return Repr.plain(v)
        case .object(let o):
            try checkStack()
            switch o {
            case let b as PyBigInt: return try Repr.bigInt(b.value)
            case let l as PyList:
                return try reprGuarded(o, "[...]") { "[" + (try l.items.map { try repr($0) }.joined(separator: ", ")) + "]" }
            case let t as PyTuple:
                if t.items.count == 1 { return "(" + (try repr(t.items[0])) + ",)" }
                return try reprGuarded(o, "(...)") { "(" + (try t.items.map { try repr($0) }.joined(separator: ", ")) + ")" }
            case let d as PyDict:
                return try reprGuarded(o, "{...}") {
                    "{" + (try d.pairs.map { try repr($0.key.value) + ": " + repr($0.value) }.joined(separator: ", ")) + "}"
                }
            case let s as PySet:
                let name = s.frozen ? "frozenset" : "set"
                if s.count == 0 { return name + "()" }
                let body = try reprGuarded(o, "\(name)(...)") { "{" + (try s.values.map { try repr($0) }.joined(separator: ", ")) + "}" }
                return s.frozen ? "frozenset(\(body))" : body
            case let r as PyRange:
                return r.step == 1 ? "range(\(r.start), \(r.stop))" : "range(\(r.start), \(r.stop), \(r.step))"
            case let s as PySlice:
                return "slice(\(try repr(s.start)), \(try repr(s.stop)), \(try repr(s.step)))"
            case let m as PyBoundMethod:
                var owner = m.receiver.type.qualname
                var name = "?"
                if case .object(let f as PyFunction) = m.function {
                    owner = f.qualname.split(separator: ".").dropLast().joined(separator: "."); name = f.name
                }
                if case .object(let f as PyNativeMethod) = m.function {
                    return "<built-in method \(f.name) of \(m.receiver.typeName) object at \(Repr.address(o))>"
                }
                if owner.isEmpty { owner = m.receiver.type.qualname }
                return "<bound method \(owner).\(name) of \(try repr(m.receiver))>"
            case let e as PyExceptionObject where e.type.lookup("__repr__").map({ isBuiltinSlot($0) }) ?? true:
                let args = e.args.count == 1 ? try repr(e.args[0]) : try e.args.map { try repr($0) }.joined(separator: ", ")
                return "\(e.type.name)(\(args))"
            case let t as PyType where t.native.classRepr != nil:
                return try t.native.classRepr?(self, t) ?? Repr.defaultRepr(o)
            case is PyType, is PyFunction, is PyBuiltinFunction, is PyModule, is PySingleton, is PyNativeMethod:
                return Repr.defaultRepr(o)
            default:
                if let r = try callSpecial(v, "__repr__") {
                    guard case .str(let s) = r else { throw PyError.type("__repr__ returned non-string (type \(r.typeName))") }
                    return s
                }
                return Repr.defaultRepr(o)
            }
        }
    }

    func isBuiltinSlot(_ v: PyValue) -> Bool {
        if case .object(let o) = v { return o is PyNativeMethod }
        return false
    }

    /// Guards against recursive containers (`l.append(l)` prints `[[...]]`).
    func reprGuarded(_ o: PyObject, _ placeholder: String, _ body: () throws -> String) throws -> String {
        let id = ObjectIdentifier(o)
        if reprInProgress.contains(id) { return placeholder }
        reprInProgress.insert(id)
        defer { reprInProgress.remove(id) }
        return try body()
    }

    /// `str(v)`, calling user `__str__` (then `__repr__`) methods.
    public func str(_ v: PyValue) throws -> String {
        switch v {
        case .str(let s): return s
        case .none, .bool, .int, .float: return Repr.plain(v)
        case .object(let o):
            if let e = o as? PyExceptionObject {
                if let m = e.type.lookup("__str__"), !isBuiltinSlot(m) {
                    let r = try callDescriptor(m, self: v, Args())
                    guard case .str(let s) = r else { throw PyError.type("__str__ returned non-string (type \(r.typeName))") }
                    return s
                }
                if e.args.count == 1 && !e.type.isSubtype(of: Builtins.keyErrorType) { return try str(e.args[0]) }
                if e.args.count == 1 { return try repr(e.args[0]) }
                if e.args.isEmpty { return "" }
                return try repr(.object(PyTuple(e.args)))
            }
            if !o.type.isBuiltin || o is PyInstance, let m = o.type.lookup("__str__"), !isObjectSlot(m, "__str__") {
                let r = try callDescriptor(m, self: v, Args())
                guard case .str(let s) = r else { throw PyError.type("__str__ returned non-string (type \(r.typeName))") }
                return s
            }
            return try repr(v)
        }
    }
}

extension String {
    /// `unit` repeated `count` times (none when `count` is not positive), its bytes copied in
    /// doubling runs: `String(repeating:count:)` appends piece by piece, which took seconds for
    /// the hundreds of MB a value may have. Callers check the size first.
    static func repeating(_ unit: String, count: Int) -> String {
        guard count > 0, !unit.isEmpty else { return "" }
        if count == 1 { return unit }
        let bytes = Array(unit.utf8)
        let total = bytes.count * count
        return String(unsafeUninitializedCapacity: total) { buffer in
            guard let base = buffer.baseAddress else { return 0 }
            bytes.withUnsafeBufferPointer { b in
                if let source = b.baseAddress { base.initialize(from: source, count: bytes.count) }
            }
            var filled = bytes.count
            while filled < total {
                let n = Swift.min(filled, total - filled)
                (base + filled).initialize(from: base, count: n)
                filled += n
            }
            return total
        }
    }

    /// `unit` repeated `count` times (see ``repeating(_:count:)``).
    static func repeating(_ unit: Character, count: Int) -> String { repeating(String(unit), count: count) }
}
