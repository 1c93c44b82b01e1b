import BigInt

/// Arithmetic written in Python and computed with Python's numbers (unbounded ints, floats,
/// CPython's error messages), for callers that must compute without running code, such as an
/// agent's calculator. Only numbers, operators, a few `math` functions and constants are accepted.
///
///     try Arithmetic.evaluate("2 ** 100")    // .bigInt("1267650600228229401496703205376")
///     try Arithmetic.evaluate("7 // -2")     // .int(-4)
///     try Arithmetic.evaluate("4 / 2")       // .float(2.0)
///     try Arithmetic.evaluate("1 / 0")       // throws ZeroDivisionError: division by zero
public enum Arithmetic {
    /// The longest expression accepted, in characters.
    public static let maxLength = 10_000
    /// The functions an expression may call: `math`'s, and the builtins `abs`, `round`, `min`, `max`.
    public static let functions = ["sqrt", "abs", "round", "min", "max", "floor", "ceil", "log", "log2", "log10", "exp", "sin", "cos", "tan"]
    /// The names an expression may use as values (`math`'s constants).
    public static let constants = ["pi", "e", "tau", "inf"]
    /// The largest int an operation may produce, in bits (about 19 700 digits; a result is shown
    /// only up to 4300 digits anyway). One big-int operation cannot be interrupted, so this bounds its time.
    public static let maxIntegerBits = 1 << 16
    /// How long one evaluation may take (checked between operations).
    public static let timeLimit = Duration.seconds(2)

    static let builtinFunctions: Set<String> = ["abs", "round", "min", "max"]
    static let allowedText =
        "a calculation may use int and float numbers, + - * / // % ** and parentheses, the functions "
        + functions.joined(separator: ", ") + ", and the constants " + constants.joined(separator: ", ")

    /// The value of an expression, keeping Python's distinction between `int` and `float`.
    public enum Number: Sendable, Hashable, CustomStringConvertible {
        /// An int that fits in `Int`.
        case int(Int)
        /// An int beyond `Int`'s range, as its exact decimal digits (with `-` when negative).
        case bigInt(String)
        /// A float (`4 / 2` is `2.0`; `inf` and `nan` are floats too).
        case float(Double)

        /// Python's `repr` of the number (`2.0`, `1e+16`, `1267650600228229401496703205376`).
        public var description: String {
            switch self {
            case .int(let i): return String(i)
            case .bigInt(let digits): return digits
            case .float(let d): return Repr.float(d)
            }
        }

        /// The number as an interpreter value (digits that are not an int stay a string).
        public var python: PyValue {
            switch self {
            case .int(let i): return .int(i)
            case .bigInt(let digits): return BigInt(digits).map { PyValue.int($0) } ?? .str(digits)
            case .float(let d): return .float(d)
            }
        }
    }

    /// Why an expression has no value: a Python exception (`kind` is its class, as the last
    /// line of CPython's traceback shows it) or a construct a calculation may not use (`kind` nil).
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// `ZeroDivisionError`, `SyntaxError`, ...; nil when the expression was refused before evaluation.
        public let kind: String?
        /// What went wrong (`str()` of the exception), or what was refused and what is allowed.
        public let message: String

        /// A failure with the given exception class (nil for a refusal) and message.
        public init(kind: String?, message: String) {
            self.kind = kind
            self.message = message
        }

        /// `ZeroDivisionError: division by zero`, or the refusal's message alone.
        public var description: String { kind.map { "\($0): \(message)" } ?? message }
    }

    /// Evaluates `expression` (Python syntax) to a number. The syntax tree is checked before
    /// anything runs; the operators and functions are the interpreter's own.
    public static func evaluate(_ expression: String) throws(Failure) -> Number {
        try evaluate(expression, timeLimit: timeLimit)
    }

    static func evaluate(_ expression: String, timeLimit: Duration) throws(Failure) -> Number {
        guard expression.count <= maxLength else {
            throw Failure(kind: nil, message: "the expression is too long (\(expression.count) characters; the limit is \(maxLength))")
        }
        guard expression.contains(where: { !$0.isWhitespace }) else {
            throw Failure(kind: "SyntaxError", message: "the expression is empty")
        }
        // On a Python thread, for its large stack (a long `1+1+...` chain nests as deep as it is
        // long): this one if it is one (a shell's code calling the tool), else one borrowed.
        // Waiting for the shared lock cannot deadlock: its holder never waits for another lock.
        if PythonThreads.stackTop != nil {
            return try shared.withLock { ctx in Result { () throws(Failure) in try run(expression, timeLimit, ctx) } }.get()
        }
        let outcome: Result<Number, Failure>
        do {
            outcome = try shared.runPythonBlocking { ctx in Result { () throws(Failure) in try run(expression, timeLimit, ctx) } }
        } catch {
            throw Failure(kind: "RuntimeError", message: String(describing: error))
        }
        return try outcome.get()
    }

    /// One interpreter for every evaluation, created on first use: building one costs far more
    /// than an evaluation, and its lock serializes the evaluations that share it.
    static let shared: Interpreter = {
        var options = Interpreter.Options()
        options.maxIntegerBits = maxIntegerBits
        return Interpreter(options: options)
    }()

    /// Parses, checks and evaluates, with the interpreter lock held.
    static func run(_ expression: String, _ timeLimit: Duration, _ ctx: ExecContext) throws(Failure) -> Number {
        // As CPython's `eval` of a string, leading spaces and tabs are not indentation.
        let stripped = expression.drop { $0 == " " || $0 == "\t" }
        let offset = expression.unicodeScalars.count - stripped.unicodeScalars.count
        let source = String(stripped)
        func position(_ p: SourcePosition) -> Int {
            var before = 0
            var line = 1
            for scalar in source.unicodeScalars where line < p.line {
                before += 1
                if scalar == "\n" { line += 1 }
            }
            return offset + before + p.column
        }
        do {
            let tree = try Parser.parseExpression(source)
            try check(tree, position)
            let evaluator = Evaluator(ctx: ctx, timeLimit: timeLimit, deadline: ContinuousClock.now.advanced(by: timeLimit))
            let value = try evaluator.evaluate(tree)
            switch value {
            case .int(let i): return .int(i)
            case .float(let d): return .float(d)
            case .bool(let b): return .int(b ? 1 : 0)
            default:
                guard value.bigInt != nil else {
                    throw Failure(kind: "TypeError", message: "the result is \(value.typeName), not a number")
                }
                // `repr` applies CPython's limit of 4300 digits for int-to-text conversion.
                return .bigInt(try ctx.repr(value))
            }
        } catch let failure as Failure {
            throw failure
        } catch let e as PythonSyntaxError {
            throw Failure(kind: e.kind, message: "\(e.message) at position \(position(e.position))")
        } catch {
            let report = ctx.interpreter.report(error, ctx)
            throw Failure(kind: report.kind.isEmpty ? nil : report.qualifiedKind, message: report.message)
        }
    }

    /// Refuses every construct but numbers, the arithmetic operators, calls of ``functions``
    /// with positional arguments, and ``constants``.
    static func check(_ e: Expr, _ position: (SourcePosition) -> Int) throws(Failure) {
        // Operators are named, not located: a node's position is where its left operand starts.
        func refuse(_ what: String, at p: SourcePosition? = e.position) -> Failure {
            let place = p.map { " (at position \(position($0)))" } ?? ""
            return Failure(kind: nil, message: "\(what) is not allowed\(place); \(allowedText)")
        }
        func suggestion(_ name: String) -> String {
            guard name.count >= 3, let close = closestName(name, in: functions + constants) else { return "" }
            return " (did you mean '\(close)'?)"
        }
        switch e.kind {
        case .constant(let c):
            switch c {
            case .int, .bigInt, .float: return
            case .string: throw refuse("a string")
            case .bool(let b): throw refuse(b ? "True" : "False")
            case .none: throw refuse("None")
            case .ellipsis: throw refuse("'...'")
            }
        case .name(let n):
            if constants.contains(n) { return }
            if functions.contains(n) { throw refuse("the function '\(n)' without a call (write \(n)(x))") }
            throw refuse("the name '\(n)'\(suggestion(n))")
        case .unary(let op, let operand):
            guard op == .plus || op == .minus else { throw refuse("the operator '\(op.rawValue)'", at: nil) }
            try check(operand, position)
        case .binary(let op, let left, let right):
            switch op {
            case .add, .sub, .mul, .div, .floorDiv, .mod, .pow: break
            case .bitXor: throw refuse("the operator '^' (the power operator is **)", at: nil)
            default: throw refuse("the operator '\(op.rawValue)'", at: nil)
            }
            try check(left, position)
            try check(right, position)
        case .call(let callee, let arguments):
            guard case .name(let n) = callee.kind else {
                try check(callee, position)
                throw refuse("calling the value of an expression")
            }
            guard functions.contains(n) else {
                throw refuse("calling '\(n)'\(suggestion(n))")
            }
            for a in arguments {
                switch a {
                case .positional(let x): try check(x, position)
                case .keyword(let k, let x): throw refuse("a keyword argument ('\(k)=')", at: x.position)
                case .starred(let x): throw refuse("'*' unpacking", at: x.position)
                case .doubleStarred(let x): throw refuse("'**' unpacking", at: x.position)
                }
            }
        case .attribute(let base, let name):
            // Models often write `math.sqrt(2)`: the names here are math's, without the prefix.
            if case .name("math") = base.kind, functions.contains(name) || constants.contains(name) {
                throw refuse("attribute access ('math.\(name)'; write \(name) alone)")
            }
            throw refuse("attribute access ('.\(name)')")
        case .subscript: throw refuse("subscripting ('[...]')")
        case .slice: throw refuse("a slice")
        case .fString: throw refuse("a string")
        case .list: throw refuse("a list")
        case .tuple: throw refuse("a tuple (a comma outside a call's parentheses)")
        case .set: throw refuse("a set")
        case .dict: throw refuse("a dict")
        case .starred: throw refuse("'*' unpacking")
        case .and, .or: throw refuse("'and'/'or'", at: nil)
        case .compare: throw refuse("a comparison", at: nil)
        case .conditional: throw refuse("a conditional expression")
        case .lambda: throw refuse("a lambda")
        case .listComp, .setComp, .dictComp, .generator: throw refuse("a comprehension")
        case .await: throw refuse("'await'")
        case .yield, .yieldFrom: throw refuse("'yield'")
        case .namedExpr: throw refuse("an assignment (':=')")
        }
    }

    /// Evaluates a checked tree with the interpreter's operators (`ExecContext.binaryOp` and
    /// friends, what compiled code runs), watching the time between operations.
    struct Evaluator {
        let ctx: ExecContext
        let timeLimit: Duration
        let deadline: ContinuousClock.Instant

        func evaluate(_ e: Expr) throws -> PyValue {
            try ctx.checkStack()
            if ContinuousClock.now >= deadline {
                let seconds = Double(timeLimit.components.seconds) + Double(timeLimit.components.attoseconds) / 1e18
                throw PyError(Builtins.timeoutErrorType, "the calculation took longer than its limit of \(Repr.float(seconds)) s")
            }
            switch e.kind {
            case .constant(.int(let i)): return .int(i)
            case .constant(.bigInt(let b)): return .int(b)
            case .constant(.float(let d)): return .float(d)
            case .name(let n): return try lookup(n)
            case .unary(let op, let operand): return try ctx.unaryOp(op, try evaluate(operand))
            case .binary(let op, let left, let right):
                let a = try evaluate(left)
                return try ctx.binaryOp(op, a, try evaluate(right))
            case .call(let callee, let arguments):
                guard case .name(let n) = callee.kind else { break }
                var values: [PyValue] = []
                for case .positional(let x) in arguments { values.append(try evaluate(x)) }
                return try ctx.call(try lookup(n), Args(values))
            default: break
            }
            // `check` lets nothing else through.
            throw PyError.runtime("unchecked expression")
        }

        /// A function or constant: the builtins `abs`, `round`, `min`, `max`, else `math`'s.
        func lookup(_ name: String) throws -> PyValue {
            let value =
                Arithmetic.builtinFunctions.contains(name)
                ? ctx.interpreter.builtins.get(name)
                : try ctx.interpreter.importModuleNamed("math").globals.get(name)
            guard let value else { throw PyError.runtime("math has no '\(name)'") }
            return value
        }
    }
}
