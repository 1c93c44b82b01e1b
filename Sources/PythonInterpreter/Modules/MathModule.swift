import BigInt
import Foundation

/// `math`.
enum MathModule {
    static func make() -> PyModule {
        let m = PyModule(name: "math", doc: "Mathematical functions defined by the C standard.")
        m.define("pi", .float(Double.pi))
        m.define("e", .float(M_E))
        m.define("tau", .float(2 * Double.pi))
        m.define("inf", .float(.infinity))
        m.define("nan", .float(.nan))

        @Sendable func real(_ ctx: ExecContext, _ v: PyValue, _ fn: String) throws -> Double {
            guard ctx.isNumber(v) else {
                if let f = try ctx.callSpecial(v, "__float__"), case .float(let d) = f { return d }
                throw PyError.type("must be real number, not \(v.typeName)")
            }
            return try ctx.toDouble(v)
        }
        /// CPython's logarithm of an int: of the int as a float when it converts, else of its
        /// frexp form, log(m) + log(2)·e, so ints beyond the float range have logarithms too.
        @Sendable func intLog(_ b: BigInt, _ f: (Double) -> Double) throws -> Double {
            guard b.sign == .plus, !b.isZero else { throw PyError.value("math domain error") }
            if let x = try? Arith.toDouble(b) { return f(x) }
            // b ≈ m·2**e with 0.5 <= m < 1; m is rounded once, from the top 55 bits and a sticky bit.
            let width = b.magnitude.bitWidth
            let shift = width - 55
            var top = UInt64(b.magnitude >> shift)
            if b.magnitude.trailingZeroBitCount < shift { top |= 1 }
            var m = Double(sign: .plus, exponent: -55, significand: Double(top))
            var e = width
            if m == 1 { m = 0.5; e += 1 }
            return f(m) + f(2) * Double(e)
        }
        /// The int of an int-like value beyond `Int` (a big int), else nil.
        @Sendable func bigOnly(_ v: PyValue) -> BigInt? { v.smallInt == nil ? v.bigInt : nil }
        func unary(_ name: String, _ doc: String, domain: (@Sendable (Double) -> Bool)? = nil, _ f: @escaping @Sendable (Double) -> Double) {
            m.function(name, "\(name)(x, /)", doc: doc) { ctx, a in
                try a.check(name, min: 1, max: 1)
                let x = try real(ctx, a[0], name)
                if let domain, !domain(x) { throw PyError.value("math domain error") }
                let r = f(x)
                if r.isInfinite && x.isFinite { throw PyError.overflow("math range error") }
                if r.isNaN && !x.isNaN { throw PyError.value("math domain error") }
                return .float(r)
            }
        }
        unary("sqrt", "Return the square root of x.") { $0.squareRoot() }
        unary("exp", "Return e raised to the power of x.") { Foundation.exp($0) }
        unary("sin", "Return the sine of x (measured in radians).") { Foundation.sin($0) }
        unary("cos", "Return the cosine of x (measured in radians).") { Foundation.cos($0) }
        unary("tan", "Return the tangent of x (measured in radians).") { Foundation.tan($0) }
        unary("asin", "Return the arc sine (measured in radians) of x.") { Foundation.asin($0) }
        unary("acos", "Return the arc cosine (measured in radians) of x.") { Foundation.acos($0) }
        unary("atan", "Return the arc tangent (measured in radians) of x.") { Foundation.atan($0) }
        unary("sinh", "Return the hyperbolic sine of x.") { Foundation.sinh($0) }
        unary("cosh", "Return the hyperbolic cosine of x.") { Foundation.cosh($0) }
        unary("tanh", "Return the hyperbolic tangent of x.") { Foundation.tanh($0) }
        unary("fabs", "Return the absolute value of the float x.") { Swift.abs($0) }
        for (name, f) in [("log2", Foundation.log2 as @Sendable (Double) -> Double), ("log10", Foundation.log10)] {
            m.function(name, "\(name)(x, /)", doc: "Return the base \(name.dropFirst(3)) logarithm of x.") { ctx, a in
                try a.check(name, min: 1, max: 1)
                if let b = bigOnly(a[0]) { return .float(try intLog(b, f)) }
                let x = try real(ctx, a[0], name)
                if x <= 0 { throw PyError.value("math domain error") }  // nan gives nan
                return .float(f(x))
            }
        }
        unary("log1p", "Return the natural logarithm of 1+x (base e).", domain: { $0 > -1 }) { Foundation.log1p($0) }
        unary("expm1", "Return exp(x)-1.") { Foundation.expm1($0) }
        unary("degrees", "Convert angle x from radians to degrees.") { $0 * 180 / Double.pi }
        unary("radians", "Convert angle x from degrees to radians.") { $0 * Double.pi / 180 }
        unary("erf", "Error function at x.") { Foundation.erf($0) }
        unary("gamma", "Gamma function at x.") { Foundation.tgamma($0) }
        m.function("log", "log(x[, base])", doc: "Return the logarithm of x to the given base (default e).") { ctx, a in
            try a.check("log", min: 1, max: 2)
            func ln(_ v: PyValue) throws -> Double {
                if let b = bigOnly(v) { return try intLog(b, Foundation.log) }
                let x = try real(ctx, v, "log")
                if x <= 0 { throw PyError.value("math domain error") }  // nan gives nan
                return Foundation.log(x)
            }
            let r = try ln(a[0])
            if a.count == 2 {
                let base = try ln(a[1])
                guard base != 0 else { throw PyError.zeroDivision("float division by zero") }
                return .float(r / base)
            }
            return .float(r)
        }
        m.function("pow", "pow(x, y, /)", doc: "Return x**y (x to the power of y).") { ctx, a in
            try a.check("pow", min: 2, max: 2)
            let x = try real(ctx, a[0], "pow"), y = try real(ctx, a[1], "pow")
            if x == 0 && y < 0 { throw PyError.value("math domain error") }
            if x < 0 && y != y.rounded() && y.isFinite { throw PyError.value("math domain error") }
            let r = Foundation.pow(x, y)
            if r.isInfinite && x.isFinite && y.isFinite { throw PyError.overflow("math range error") }
            return .float(r)
        }
        m.function("atan2", "atan2(y, x, /)", doc: "Return the arc tangent (measured in radians) of y/x.") { ctx, a in
            try a.check("atan2", min: 2, max: 2)
            return .float(Foundation.atan2(try real(ctx, a[0], "atan2"), try real(ctx, a[1], "atan2")))
        }
        m.function("hypot", "hypot(*coordinates)", doc: "Multidimensional Euclidean distance from the origin to a point.") { ctx, a in
            .float(try a.positional.map { try real(ctx, $0, "hypot") }.reduce(0) { $0 + $1 * $1 }.squareRoot())
        }
        m.function("dist", "dist(p, q, /)", doc: "Return the Euclidean distance between two points p and q.") { ctx, a in
            try a.check("dist", min: 2, max: 2)
            let p = try ctx.iterateToArray(a[0]).map { try real(ctx, $0, "dist") }
            let q = try ctx.iterateToArray(a[1]).map { try real(ctx, $0, "dist") }
            guard p.count == q.count else { throw PyError.value("both points must have the same number of dimensions") }
            return .float(zip(p, q).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot())
        }
        m.function("remainder", "remainder(x, y, /)", doc: "Difference between x and the closest integer multiple of y.") { ctx, a in
            try a.check("remainder", min: 2, max: 2)
            let x = try real(ctx, a[0], "remainder"), y = try real(ctx, a[1], "remainder")
            if x.isInfinite || (y == 0 && !x.isNaN) { throw PyError.value("math domain error") }
            return .float(Foundation.remainder(x, y))
        }
        m.function("copysign", "copysign(x, y, /)") { ctx, a in
            try a.check("copysign", min: 2, max: 2)
            return .float(Foundation.copysign(try real(ctx, a[0], "copysign"), try real(ctx, a[1], "copysign")))
        }
        for (name, rule) in [("floor", FloatingPointRoundingRule.down), ("ceil", .up), ("trunc", .towardZero)] {
            m.function(
                name, "\(name)(x, /)",
                doc:
                    "Return the \(name == "floor" ? "floor" : name == "ceil" ? "ceiling" : "Real value truncated to an Integral") of x as an Integral."
            ) { ctx, a in
                try a.check(name, min: 1, max: 1)
                if a[0].isIntLike { return a[0].smallInt.map { .int($0) } ?? a[0] }
                if !ctx.isNumber(a[0]), let r = try ctx.callSpecial(a[0], "__\(name)__") { return r }
                let x = try real(ctx, a[0], name)
                if x.isNaN { throw PyError.value("cannot convert float NaN to integer") }
                if x.isInfinite { throw PyError.overflow("cannot convert float infinity to integer") }
                return .int(BigInt(x.rounded(rule)))
            }
        }
        m.function("isnan", "isnan(x, /)", doc: "Return True if x is a NaN (not a number).") { ctx, a in .bool(try real(ctx, a[0], "isnan").isNaN) }
        m.function("isinf", "isinf(x, /)", doc: "Return True if x is a positive or negative infinity.") { ctx, a in
            .bool(try real(ctx, a[0], "isinf").isInfinite)
        }
        m.function("isfinite", "isfinite(x, /)", doc: "Return True if x is neither an infinity nor a NaN.") { ctx, a in
            .bool(try real(ctx, a[0], "isfinite").isFinite)
        }
        m.function("isclose", "isclose(a, b, *, rel_tol=1e-09, abs_tol=0.0)", doc: "Determine whether two floating point numbers are close in value.")
        { ctx, a in
            let p = try a.bind("isclose", ["a", "b", "rel_tol", "abs_tol"], required: 2)
            let x = try real(ctx, p[0] ?? .float(0), "isclose"), y = try real(ctx, p[1] ?? .float(0), "isclose")
            let rel = try p[2].map { try real(ctx, $0, "isclose") } ?? 1e-9, abs = try p[3].map { try real(ctx, $0, "isclose") } ?? 0
            if rel < 0 || abs < 0 { throw PyError.value("tolerances must be non-negative") }
            if x == y { return .true }
            if x.isInfinite || y.isInfinite { return .false }
            let diff = Swift.abs(y - x)
            return .bool(diff <= Swift.abs(rel * y) || diff <= Swift.abs(rel * x) || diff <= abs)
        }
        m.function("gcd", "gcd(*integers)", doc: "Greatest Common Divisor.") { ctx, a in
            var g = BigInt(0)
            for v in a.positional {
                guard let b = try ctx.index(v) else { throw PyError.type("'\(v.typeName)' object cannot be interpreted as an integer") }
                g = BigInt(g.magnitude.greatestCommonDivisor(with: b.magnitude))
            }
            return .int(g)
        }
        m.function("lcm", "lcm(*integers)", doc: "Least Common Multiple.") { ctx, a in
            var l = BigInt(1)
            for v in a.positional {
                guard let b = try ctx.index(v) else { throw PyError.type("'\(v.typeName)' object cannot be interpreted as an integer") }
                if b.isZero { return .int(0) }
                let g = BigInt(l.magnitude.greatestCommonDivisor(with: b.magnitude))
                l = BigInt((l * b).magnitude) / g
            }
            return .int(l)
        }
        m.function("factorial", "factorial(n, /)", doc: "Find n!.") { ctx, a in
            try a.check("factorial", min: 1, max: 1)
            if case .float = a[0] { throw PyError.type("'float' object cannot be interpreted as an integer") }
            let n = try ctx.intArg(a[0])
            guard n >= 0 else { throw PyError.value("factorial() not defined for negative values") }
            guard n <= 20_000 else { throw PyError.memory("factorial() argument is too large for this shell (at most 20000)") }
            var r = BigInt(1)
            if n > 1 { for i in 2...n { r *= BigInt(i) } }
            return .int(r)
        }
        m.function("comb", "comb(n, k, /)", doc: "Number of ways to choose k items from n items without repetition and without order.") { ctx, a in
            try a.check("comb", min: 2, max: 2)
            let n = try ctx.intArg(a[0]), k = try ctx.intArg(a[1])
            guard n >= 0, k >= 0 else { throw PyError.value("\(n < 0 ? "n" : "k") must be a non-negative integer") }
            if k > n { return .int(0) }
            let kk = min(k, n - k)
            guard kk <= 100_000 else { throw PyError.memory("comb() result is too large for this shell") }
            var r = BigInt(1)
            if kk > 0 { for i in 0..<kk { r = r * BigInt(n - i) / BigInt(i + 1) } }
            return .int(r)
        }
        m.function("perm", "perm(n, k=None, /)", doc: "Number of ways to choose k items from n items without repetition and with order.") { ctx, a in
            try a.check("perm", min: 1, max: 2)
            let n = try ctx.intArg(a[0])
            let k = a.count > 1 && !a[1].isNone ? try ctx.intArg(a[1]) : n
            guard n >= 0, k >= 0 else { throw PyError.value("\(n < 0 ? "n" : "k") must be a non-negative integer") }
            if k > n { return .int(0) }
            guard k <= 100_000 else { throw PyError.memory("perm() result is too large for this shell") }
            var r = BigInt(1)
            if k > 0 { for i in 0..<k { r *= BigInt(n - i) } }
            return .int(r)
        }
        m.function("prod", "prod(iterable, /, *, start=1)", doc: "Calculate the product of all the elements in the input iterable.") { ctx, a in
            var total = a.keyword("start") ?? .int(1)
            try ctx.forEach(a[0]) { x in
                total = try ctx.binaryOp(.mul, total, x)
                return true
            }
            return total
        }
        m.function("fsum", "fsum(seq, /)", doc: "Return an accurate floating point sum of values in the iterable seq.") { ctx, a in
            // Shewchuk's algorithm, as CPython's fsum uses.
            var partials: [Double] = []
            try ctx.forEach(a[0]) { v in
                var x = try real(ctx, v, "fsum")
                var i = 0
                for var y in partials {
                    if Swift.abs(x) < Swift.abs(y) { swap(&x, &y) }
                    let hi = x + y
                    let lo = y - (hi - x)
                    if lo != 0 {
                        partials[i] = lo
                        i += 1
                    }
                    x = hi
                }
                partials.removeSubrange(i...)
                partials.append(x)
                return true
            }
            return .float(partials.reduce(0, +))
        }
        m.function("isqrt", "isqrt(n, /)", doc: "Return the integer part of the square root of the input.") { ctx, a in
            guard let b = try ctx.index(a[0]) else { throw PyError.type("'\(a[0].typeName)' object cannot be interpreted as an integer") }
            guard b.sign == .plus || b.isZero else { throw PyError.value("isqrt() argument must be nonnegative") }
            return .int(BigInt(b.magnitude.squareRoot()))
        }
        m.function("modf", "modf(x, /)", doc: "Return the fractional and integer parts of x.") { ctx, a in
            let x = try real(ctx, a[0], "modf")
            let i = x.rounded(.towardZero)
            return .object(PyTuple([.float(x - i), .float(i)]))
        }
        m.function("fmod", "fmod(x, y, /)", doc: "Return fmod(x, y), according to platform C.") { ctx, a in
            let x = try real(ctx, a[0], "fmod"), y = try real(ctx, a[1], "fmod")
            if y == 0 { throw PyError.value("math domain error") }
            return .float(Foundation.fmod(x, y))
        }
        return m
    }
}
