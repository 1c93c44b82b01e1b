import Foundation

extension Tool {
    /// Evaluates an arithmetic expression such as `"2 * (3 + 4) ** 2"` or `"sqrt(2) / 2"`.
    /// A small parser of its own does the work: no code is run, no shell, no files.
    public static let calculate = Tool(
        name: "calculate",
        description: "Evaluates an arithmetic expression and returns the number. Supports + - * / // % ** and parentheses, the functions sqrt, abs, round, min, max, floor, ceil, log, log2, log10, exp, sin, cos, tan, and the constants pi and e.",
        args: ["expression": ["type": "string", "description": "The expression, e.g. \"(2 + 3) * 4 ** 2\"."]]
    ) { arguments in
        try Calculator.evaluate(arguments["expression"]?.stringValue ?? "")
    }

    /// The current date and time in ISO 8601 with the time zone offset
    /// (`2025-03-01T14:05:09+01:00`), in the local zone or a named one.
    public static let now = Tool(
        name: "now",
        description: "Returns the current date and time in ISO 8601 format with the time zone offset.",
        args: ["timezone": ["type": "string", "default": "local",
                            "description": "An IANA time zone such as \"Europe/Paris\" or \"UTC\"; \"local\" for the machine's zone."]]
    ) { arguments in
        .string(try currentTimeISO8601(timeZoneName: arguments["timezone"]?.stringValue ?? "local"))
    }

    /// The built-in tools: ``calculate`` and ``now``.
    public static let builtins: [Tool] = [calculate, now]

    static func currentTimeISO8601(timeZoneName: String, at date: Date = Date()) throws -> String {
        let zone: TimeZone
        if timeZoneName == "local" || timeZoneName.isEmpty {
            zone = .current
        } else if let named = TimeZone(identifier: timeZoneName) {
            zone = named
        } else {
            throw BuiltinToolError("Unknown time zone '\(timeZoneName)'. Use an IANA name such as \"Europe/Paris\", \"UTC\", or \"local\".")
        }
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = zone
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}

/// Why a built-in tool rejected its input (a bad expression, division by zero, an unknown time zone).
public struct BuiltinToolError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    init(_ message: String) { description = message }
}

/// A recursive-descent evaluator for arithmetic with Python's operators and precedence:
/// `+ -` < `* / // %` < unary `-` < `**` (right-associative, so `-2 ** 2` is `-4`).
enum Calculator {
    static let maxLength = 10_000
    static let maxDepth = 200

    /// The value of `expression`: an integer when the result is integral, else a float.
    static func evaluate(_ expression: String) throws -> Value {
        guard expression.count <= maxLength else {
            throw BuiltinToolError("The expression is too long (\(expression.count) characters; the limit is \(maxLength)).")
        }
        var parser = Parser(tokens: try tokenize(expression))
        guard !parser.tokens.isEmpty else { throw BuiltinToolError("The expression is empty.") }
        let result = try parser.expression(depth: 0)
        if let extra = parser.peek {
            throw BuiltinToolError("Unexpected \(extra.kind.display) at position \(extra.position + 1).")
        }
        return try result.value()
    }

    /// Python keeps `int` and `float` apart; so does the calculator until the end.
    enum Number {
        case int(Int)
        case double(Double)

        var double: Double {
            switch self {
            case .int(let i): return Double(i)
            case .double(let d): return d
            }
        }

        func value() throws -> Value {
            switch self {
            case .int(let i): return .int(i)
            case .double(let d):
                guard d.isFinite else { throw BuiltinToolError("The result is not a finite number (overflow).") }
                if d.rounded() == d, abs(d) < 9.2e18 { return .int(Int(d)) }
                return .double(d)
            }
        }
    }

    struct Token {
        enum Kind: Equatable {
            case number(Number), name(String), op(String), open, close, comma

            static func == (a: Kind, b: Kind) -> Bool {
                switch (a, b) {
                case (.name(let x), .name(let y)), (.op(let x), .op(let y)): return x == y
                case (.open, .open), (.close, .close), (.comma, .comma): return true
                default: return false
                }
            }

            var display: String {
                switch self {
                case .number(.int(let i)): return "number \(i)"
                case .number(.double(let d)): return "number \(PythonFloat.repr(d))"
                case .name(let s): return "name '\(s)'"
                case .op(let s): return "'\(s)'"
                case .open: return "'('"
                case .close: return "')'"
                case .comma: return "','"
                }
            }
        }
        let kind: Kind
        let position: Int
    }

    static func tokenize(_ text: String) throws -> [Token] {
        let chars = Array(text)
        var tokens: [Token] = []
        var i = 0
        while i < chars.count {
            let c = chars[i]
            let start = i
            if c.isWhitespace { i += 1; continue }
            if c.isASCII && (c.isNumber || (c == "." && i + 1 < chars.count && chars[i + 1].isASCII && chars[i + 1].isNumber)) {
                var isFloat = false
                while i < chars.count, chars[i].isASCII, chars[i].isNumber || chars[i] == "." {
                    if chars[i] == "." {
                        if isFloat { throw BuiltinToolError("Malformed number at position \(start + 1).") }
                        isFloat = true
                    }
                    i += 1
                }
                if i < chars.count, chars[i] == "e" || chars[i] == "E" {
                    var j = i + 1
                    if j < chars.count, chars[j] == "+" || chars[j] == "-" { j += 1 }
                    if j < chars.count, chars[j].isASCII, chars[j].isNumber {
                        isFloat = true
                        i = j
                        while i < chars.count, chars[i].isASCII, chars[i].isNumber { i += 1 }
                    }
                }
                let literal = String(chars[start..<i])
                if !isFloat, let n = Int(literal) {
                    tokens.append(Token(kind: .number(.int(n)), position: start))
                } else if let d = Double(literal) {
                    tokens.append(Token(kind: .number(.double(d)), position: start))
                } else {
                    throw BuiltinToolError("Malformed number '\(literal)' at position \(start + 1).")
                }
                continue
            }
            if c.isLetter || c == "_" {
                while i < chars.count, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" { i += 1 }
                tokens.append(Token(kind: .name(String(chars[start..<i])), position: start))
                continue
            }
            i += 1
            switch c {
            case "(": tokens.append(Token(kind: .open, position: start))
            case ")": tokens.append(Token(kind: .close, position: start))
            case ",": tokens.append(Token(kind: .comma, position: start))
            case "+", "-", "%": tokens.append(Token(kind: .op(String(c)), position: start))
            case "*", "/":
                if i < chars.count, chars[i] == c {
                    i += 1
                    tokens.append(Token(kind: .op(String(c) + String(c)), position: start))
                } else {
                    tokens.append(Token(kind: .op(String(c)), position: start))
                }
            case "^":
                throw BuiltinToolError("'^' is not supported at position \(start + 1); use ** for powers.")
            default:
                throw BuiltinToolError("Unexpected character '\(c)' at position \(start + 1).")
            }
        }
        return tokens
    }

    struct Parser {
        let tokens: [Token]
        var index = 0

        var peek: Token? { index < tokens.count ? tokens[index] : nil }

        mutating func take(_ kind: Token.Kind) -> Bool {
            guard let t = peek, t.kind == kind else { return false }
            index += 1
            return true
        }

        func unexpected(_ expected: String) -> BuiltinToolError {
            guard let t = peek else { return BuiltinToolError("The expression ended early: expected \(expected).") }
            return BuiltinToolError("Expected \(expected) but found \(t.kind.display) at position \(t.position + 1).")
        }

        mutating func expression(depth: Int) throws -> Number {
            guard depth < Calculator.maxDepth else { throw BuiltinToolError("The expression is nested too deeply.") }
            var left = try term(depth: depth)
            while true {
                if take(.op("+")) { left = try Arithmetic.add(left, try term(depth: depth)) }
                else if take(.op("-")) { left = try Arithmetic.subtract(left, try term(depth: depth)) }
                else { return left }
            }
        }

        mutating func term(depth: Int) throws -> Number {
            var left = try unary(depth: depth)
            while true {
                if take(.op("*")) { left = try Arithmetic.multiply(left, try unary(depth: depth)) }
                else if take(.op("/")) { left = try Arithmetic.divide(left, try unary(depth: depth)) }
                else if take(.op("//")) { left = try Arithmetic.floorDivide(left, try unary(depth: depth)) }
                else if take(.op("%")) { left = try Arithmetic.modulo(left, try unary(depth: depth)) }
                else { return left }
            }
        }

        mutating func unary(depth: Int) throws -> Number {
            guard depth < Calculator.maxDepth else { throw BuiltinToolError("The expression is nested too deeply.") }
            if take(.op("-")) { return try Arithmetic.negate(try unary(depth: depth + 1)) }
            if take(.op("+")) { return try unary(depth: depth + 1) }
            return try power(depth: depth)
        }

        mutating func power(depth: Int) throws -> Number {
            let base = try primary(depth: depth)
            if take(.op("**")) { return try Arithmetic.power(base, try unary(depth: depth + 1)) }
            return base
        }

        mutating func primary(depth: Int) throws -> Number {
            guard let token = peek else { throw unexpected("a number, a name or '('") }
            switch token.kind {
            case .number(let n):
                index += 1
                return n
            case .open:
                index += 1
                let inner = try expression(depth: depth + 1)
                guard take(.close) else { throw unexpected("')'") }
                return inner
            case .name(let name):
                index += 1
                if take(.open) {
                    var arguments: [Number] = []
                    if !take(.close) {
                        repeat { arguments.append(try expression(depth: depth + 1)) } while take(.comma)
                        guard take(.close) else { throw unexpected("',' or ')'") }
                    }
                    return try Functions.call(name, arguments)
                }
                guard let constant = Functions.constants[name] else {
                    throw BuiltinToolError("Unknown name '\(name)' at position \(token.position + 1). Known constants: pi, e, tau, inf.")
                }
                return .double(constant)
            default:
                throw unexpected("a number, a name or '('")
            }
        }
    }

    /// Python's arithmetic on int/float pairs; integer overflow falls back to floats.
    enum Arithmetic {
        static func add(_ a: Number, _ b: Number) throws -> Number {
            if case .int(let x) = a, case .int(let y) = b {
                let (r, overflow) = x.addingReportingOverflow(y)
                if !overflow { return .int(r) }
            }
            return .double(a.double + b.double)
        }

        static func subtract(_ a: Number, _ b: Number) throws -> Number {
            if case .int(let x) = a, case .int(let y) = b {
                let (r, overflow) = x.subtractingReportingOverflow(y)
                if !overflow { return .int(r) }
            }
            return .double(a.double - b.double)
        }

        static func multiply(_ a: Number, _ b: Number) throws -> Number {
            if case .int(let x) = a, case .int(let y) = b {
                let (r, overflow) = x.multipliedReportingOverflow(by: y)
                if !overflow { return .int(r) }
            }
            return .double(a.double * b.double)
        }

        static func negate(_ a: Number) throws -> Number {
            if case .int(let x) = a, x != .min { return .int(-x) }
            return .double(-a.double)
        }

        static func divide(_ a: Number, _ b: Number) throws -> Number {
            guard b.double != 0 else { throw BuiltinToolError("Division by zero.") }
            return .double(a.double / b.double)
        }

        static func floorDivide(_ a: Number, _ b: Number) throws -> Number {
            guard b.double != 0 else { throw BuiltinToolError("Division by zero.") }
            if case .int(let x) = a, case .int(let y) = b, !(x == .min && y == -1) {
                let q = x / y
                return .int((x % y != 0 && (x < 0) != (y < 0)) ? q - 1 : q)
            }
            return .double((a.double / b.double).rounded(.down))
        }

        static func modulo(_ a: Number, _ b: Number) throws -> Number {
            guard b.double != 0 else { throw BuiltinToolError("Division by zero (modulo by zero).") }
            if case .int(let x) = a, case .int(let y) = b, !(x == .min && y == -1) {
                let r = x % y
                return .int(r != 0 && (r < 0) != (y < 0) ? r + y : r)
            }
            let x = a.double, y = b.double
            var r = x.truncatingRemainder(dividingBy: y)
            if r != 0 && (r < 0) != (y < 0) { r += y }
            return .double(r)
        }

        static func power(_ a: Number, _ b: Number) throws -> Number {
            if a.double == 0 && b.double < 0 { throw BuiltinToolError("Division by zero: 0 cannot be raised to a negative power.") }
            if case .int(var base) = a, case .int(var exponent) = b, exponent >= 0 {
                var result = 1
                var overflowed = false
                while exponent > 0 && !overflowed {
                    if exponent & 1 == 1 {
                        let (r, o) = result.multipliedReportingOverflow(by: base)
                        result = r
                        overflowed = o
                    }
                    exponent >>= 1
                    if exponent > 0 && !overflowed {
                        let (sq, o) = base.multipliedReportingOverflow(by: base)
                        base = sq
                        overflowed = o
                    }
                }
                if !overflowed { return .int(result) }
                return .double(Foundation.pow(a.double, b.double))
            }
            if a.double < 0 && b.double.rounded() != b.double {
                throw BuiltinToolError("A negative number cannot be raised to a fractional power (the result is complex).")
            }
            return .double(Foundation.pow(a.double, b.double))
        }
    }

    /// The functions and constants an expression may use (Python's `math` module names).
    enum Functions {
        static let constants: [String: Double] = ["pi": Double.pi, "e": M_E, "tau": 2 * Double.pi, "inf": Double.infinity]

        static func call(_ name: String, _ args: [Number]) throws -> Number {
            func exactly(_ n: Int) throws {
                guard args.count == n else {
                    throw BuiltinToolError("\(name)() takes exactly \(n) argument\(n == 1 ? "" : "s") (\(args.count) given).")
                }
            }
            func domain(_ ok: Bool, _ what: String) throws {
                if !ok { throw BuiltinToolError("Math domain error: \(what).") }
            }
            func integral(_ d: Double) throws -> Number {
                guard d.isFinite, abs(d) < 9.2e18 else { throw BuiltinToolError("\(name)() of \(d) cannot be an integer.") }
                return .int(Int(d))
            }
            switch name {
            case "sqrt":
                try exactly(1)
                try domain(args[0].double >= 0, "sqrt() of a negative number")
                return .double(args[0].double.squareRoot())
            case "abs":
                try exactly(1)
                if case .int(let i) = args[0], i != .min { return .int(Swift.abs(i)) }
                return .double(Swift.abs(args[0].double))
            case "round":
                guard args.count == 1 || args.count == 2 else {
                    throw BuiltinToolError("round() takes 1 or 2 arguments (\(args.count) given).")
                }
                if args.count == 1 {
                    if case .int = args[0] { return args[0] }
                    return try integral(args[0].double.rounded(.toNearestOrEven))
                }
                guard case .int(let digits) = args[1] else { throw BuiltinToolError("round() needs a whole number of digits.") }
                let scale = Foundation.pow(10.0, Double(digits))
                return .double((args[0].double * scale).rounded(.toNearestOrEven) / scale)
            case "min", "max":
                guard let first = args.first else { throw BuiltinToolError("\(name)() needs at least 1 argument.") }
                return args.dropFirst().reduce(first) { best, next in
                    name == "min" ? (next.double < best.double ? next : best) : (next.double > best.double ? next : best)
                }
            case "floor":
                try exactly(1)
                if case .int = args[0] { return args[0] }
                return try integral(args[0].double.rounded(.down))
            case "ceil":
                try exactly(1)
                if case .int = args[0] { return args[0] }
                return try integral(args[0].double.rounded(.up))
            case "log":
                guard args.count == 1 || args.count == 2 else {
                    throw BuiltinToolError("log() takes 1 or 2 arguments (\(args.count) given).")
                }
                try domain(args[0].double > 0, "log() of a number that is not positive")
                if args.count == 2 {
                    try domain(args[1].double > 0 && args[1].double != 1, "log() base must be positive and not 1")
                    return .double(Foundation.log(args[0].double) / Foundation.log(args[1].double))
                }
                return .double(Foundation.log(args[0].double))
            case "log2", "log10":
                try exactly(1)
                try domain(args[0].double > 0, "\(name)() of a number that is not positive")
                return .double(name == "log2" ? Foundation.log2(args[0].double) : Foundation.log10(args[0].double))
            case "exp":
                try exactly(1)
                return .double(Foundation.exp(args[0].double))
            case "sin":
                try exactly(1)
                return .double(Foundation.sin(args[0].double))
            case "cos":
                try exactly(1)
                return .double(Foundation.cos(args[0].double))
            case "tan":
                try exactly(1)
                return .double(Foundation.tan(args[0].double))
            default:
                throw BuiltinToolError("Unknown function '\(name)'. Available: sqrt, abs, round, min, max, floor, ceil, log, log2, log10, exp, sin, cos, tan.")
            }
        }
    }
}
