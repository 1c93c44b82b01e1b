import BigInt
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Integer and float arithmetic with Python's semantics: ints never overflow (they become big
/// ints), floor division and modulo round toward negative infinity, and errors carry CPython's
/// messages.
enum Arith {
    /// The default bound on big results (``Interpreter/Options/maxIntegerBits``): beyond it a
    /// MemoryError is raised instead of exhausting memory. About 315 000 decimal digits: the
    /// big-int multiplication is quadratic and cannot be interrupted, so this also bounds one
    /// operation to about a second (at 2**26 bits, `12**63**4` ran for over an hour).
    static let maxIntBits = 1 << 20

    static func add(_ a: Int, _ b: Int) -> PyValue {
        let (r, o) = a.addingReportingOverflow(b)
        return o ? .int(BigInt(a) + BigInt(b)) : .int(r)
    }

    static func sub(_ a: Int, _ b: Int) -> PyValue {
        let (r, o) = a.subtractingReportingOverflow(b)
        return o ? .int(BigInt(a) - BigInt(b)) : .int(r)
    }

    static func mul(_ a: Int, _ b: Int) -> PyValue {
        let (r, o) = a.multipliedReportingOverflow(by: b)
        return o ? .int(BigInt(a) * BigInt(b)) : .int(r)
    }

    static func floorDiv(_ a: Int, _ b: Int) throws -> PyValue {
        guard b != 0 else { throw PyError.zeroDivision("integer division or modulo by zero") }
        if a == Int.min && b == -1 { return .int(-BigInt(a)) }
        var q = a / b
        if (a % b != 0) && ((a < 0) != (b < 0)) { q -= 1 }
        return .int(q)
    }

    static func mod(_ a: Int, _ b: Int) throws -> PyValue {
        guard b != 0 else { throw PyError.zeroDivision("integer modulo by zero") }
        if b == -1 { return .int(0) }
        let r = a % b
        return .int(r != 0 && ((r < 0) != (b < 0)) ? r + b : r)
    }

    static func bigFloorDiv(_ a: BigInt, _ b: BigInt) throws -> PyValue {
        guard !b.isZero else { throw PyError.zeroDivision("integer division or modulo by zero") }
        var (q, r) = a.quotientAndRemainder(dividingBy: b)
        if !r.isZero && ((r.sign == .minus) != (b.sign == .minus)) { q -= 1 }
        return .int(q)
    }

    static func bigMod(_ a: BigInt, _ b: BigInt) throws -> PyValue {
        guard !b.isZero else { throw PyError.zeroDivision("integer modulo by zero") }
        var r = a % b
        if !r.isZero && ((r.sign == .minus) != (b.sign == .minus)) { r += b }
        return .int(r)
    }

    static func trueDiv(_ a: BigInt, _ b: BigInt) throws -> PyValue {
        guard !b.isZero else { throw PyError.zeroDivision("division by zero") }
        if let x = Int(exactly: a), let y = Int(exactly: b), x.magnitude < (1 << 53), y.magnitude < (1 << 53) {
            return .float(Double(x) / Double(y))
        }
        // Scale so the quotient keeps 64 significant bits, then convert.
        let shift = Swift.max(0, 64 - (a.magnitude.bitWidth - b.magnitude.bitWidth))
        let q = (a << shift) / b
        let d = Double(q) * Foundation_pow(2.0, Double(-shift))
        if d.isInfinite { throw PyError.overflow("integer division result too large for a float") }
        return .float(d)
    }

    static func toDouble(_ b: BigInt) throws -> Double {
        let d = Double(b)
        if d.isInfinite { throw PyError.overflow("int too large to convert to float") }
        return d
    }

    static func pow(_ base: BigInt, _ exponent: BigInt, maxBits: Int = maxIntBits) throws -> PyValue {
        if exponent.sign == .minus {
            guard !base.isZero else { throw PyError.zeroDivision("0.0 cannot be raised to a negative power") }
            return .float(Foundation_pow(try toDouble(base), try toDouble(exponent)))
        }
        if base.isZero || base == 1 { return .int(exponent.isZero ? 1 : base) }
        if base == -1 { return .int(exponent.magnitude.isMultiple(of: 2) ? 1 : -1) }
        let (bits, overflow) = Int(exactly: exponent)?.multipliedReportingOverflow(by: base.magnitude.bitWidth) ?? (0, true)
        guard let e = Int(exactly: exponent), !overflow, bits <= maxBits, e <= maxBits else {
            throw PyError.memory("integer result of ** is too large (more than \(maxBits) bits)")
        }
        return .int(base.power(e))
    }

    /// `pow(base, exponent, modulus)` by square-and-multiply, calling `tick` at every step so
    /// that Ctrl-C stops a long one (with a large modulus, each step is a big multiplication).
    static func powMod(_ base: BigInt, _ exponent: BigInt, _ modulus: BigInt, tick: () throws -> Void = {}) throws -> PyValue {
        guard !modulus.isZero else { throw PyError.value("pow() 3rd argument cannot be 0") }
        var b = base
        var e = exponent
        if e.sign == .minus {
            guard let inv = b.inverse(modulus) else { throw PyError.value("base is not invertible for the given modulus") }
            b = inv
            e = -e
        }
        var r = BigInt(1) % modulus
        b %= modulus
        var bits = e.magnitude
        while !bits.isZero {
            try tick()
            if bits[bitAt: 0] { r = (r * b) % modulus }
            bits >>= 1
            if !bits.isZero { b = (b * b) % modulus }
        }
        if !r.isZero && ((r.sign == .minus) != (modulus.sign == .minus)) { r += modulus }
        return .int(r)
    }

    /// CPython's float_floor_div.
    static func floatFloorDiv(_ a: Double, _ b: Double) throws -> Double {
        guard b != 0 else { throw PyError.zeroDivision("float floor division by zero") }
        var mod = fmod(a, b)
        var div = (a - mod) / b
        if mod != 0 && ((b < 0) != (mod < 0)) {
            mod += b
            div -= 1
        }
        if div != 0 {
            var f = Foundation_floor(div)
            if div - f > 0.5 { f += 1 }
            return f
        }
        return Double(sign: (a / b).sign, exponent: 0, significand: 0)
    }

    static func floatMod(_ a: Double, _ b: Double) throws -> Double {
        guard b != 0 else { throw PyError.zeroDivision("float modulo") }
        return floatModValue(a, b)
    }

    /// CPython's float_rem: the result has the sign of the divisor.
    static func floatModValue(_ a: Double, _ b: Double) -> Double {
        var m = fmod(a, b)
        if m != 0 {
            if (b < 0) != (m < 0) { m += b }
        } else {
            m = Double(sign: b.sign, exponent: 0, significand: 0)
        }
        return m
    }

    static func floatPow(_ a: Double, _ b: Double) throws -> Double {
        if a == 0 && b < 0 { throw PyError.zeroDivision("0.0 cannot be raised to a negative power") }
        if a < 0 && b != b.rounded() && b.isFinite {
            throw PyError.value("complex numbers are not supported in this shell (a negative number raised to a fractional power)")
        }
        let r = Foundation_pow(a, b)
        if r.isInfinite && a.isFinite && b.isFinite { throw PyError.overflow("(34, 'Numerical result out of range')") }
        return r
    }

    /// Python's round(x) and round(x, n) for floats (half to even, exact decimal semantics).
    static func roundFloat(_ x: Double, _ digits: Int?) -> Double {
        guard let n = digits else { return x.rounded(.toNearestOrEven) }
        if !x.isFinite || x == 0 { return x }
        if n > 308 { return x }
        if n < -308 { return 0.0 * x }
        // Round via correctly rounded decimal text, as CPython's double_round does.
        let text = formatC(x, precision: Swift.max(0, n), conversion: "f", rawDigits: n >= 0 ? nil : n)
        return Double(text) ?? x
    }

    static func formatC(_ x: Double, precision: Int, conversion: Character, rawDigits: Int?) -> String {
        if let neg = rawDigits, neg < 0 {
            let scale = Foundation_pow(10.0, Double(-neg))
            let y = (x / scale).rounded(.toNearestOrEven) * scale
            return String(y)
        }
        return cFormat(x, "%.\(precision)\(conversion)")
    }

    static func cFormat(_ x: Double, _ format: String) -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        let n = withVaList([x]) { vsnprintf(&buffer, buffer.count, format, $0) }
        if n >= buffer.count {
            buffer = [CChar](repeating: 0, count: Int(n) + 1)
            _ = withVaList([x]) { vsnprintf(&buffer, buffer.count, format, $0) }
        }
        let end = buffer.firstIndex(of: 0) ?? buffer.count
        return String(decoding: buffer[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Exact comparison of an int with a float (Python compares mathematically).
    static func compare(_ a: BigInt, _ d: Double) -> Int? {
        if d.isNaN { return nil }
        if d.isInfinite { return d > 0 ? -1 : 1 }
        let floor = Foundation_floor(d)
        let fb = BigInt(floor)
        if a < fb { return -1 }
        if a > fb { return 1 }
        return floor == d ? 0 : -1
    }
}

@inline(__always) func Foundation_pow(_ a: Double, _ b: Double) -> Double { pow(a, b) }
@inline(__always) func Foundation_floor(_ a: Double) -> Double { floor(a) }
