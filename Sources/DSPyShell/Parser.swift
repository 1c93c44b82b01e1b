/// An expression of the shell language.
indirect enum Expr: Sendable {
    case literal(ShellLiteral, SourcePosition)
    case name(String, SourcePosition)
    case list([Expr], SourcePosition)
    case tuple([Expr], SourcePosition)
    case dict([(Expr, Expr)], SourcePosition)
    case attribute(Expr, String, SourcePosition)
    case subscriptAccess(Expr, Expr, SourcePosition)
    case call(Expr, [Argument], SourcePosition)
    case unary(String, Expr, SourcePosition)
    case binary(String, Expr, Expr, SourcePosition)
    case await(Expr, SourcePosition)

    var position: SourcePosition {
        switch self {
        case .literal(_, let p), .name(_, let p), .list(_, let p), .tuple(_, let p), .dict(_, let p), .attribute(_, _, let p),
             .subscriptAccess(_, _, let p), .call(_, _, let p), .unary(_, _, let p), .binary(_, _, _, let p), .await(_, let p):
            return p
        }
    }
}

enum ShellLiteral: Sendable {
    case none, bool(Bool), int(Int), float(Double), string(String)
}

struct Argument: Sendable {
    let label: String?
    let value: Expr
}

/// A statement: what one prompt (or one script line and its block) runs.
indirect enum Statement: Sendable {
    case expression(Expr, SourcePosition)
    case assign(target: Expr, value: Expr, SourcePosition)
    case with(Expr, body: [Statement], SourcePosition)
    case magic(String, SourcePosition)
    case importStatement(String, SourcePosition)

    var position: SourcePosition {
        switch self {
        case .expression(_, let p), .assign(_, _, let p), .with(_, _, let p), .magic(_, let p), .importStatement(_, let p): return p
        }
    }
}

/// Recursive-descent parser over the lexer's tokens.
struct Parser {
    private let tokens: [Token]
    private var i = 0

    init(tokens: [Token]) { self.tokens = tokens }

    static func parse(_ source: String) throws -> [Statement] {
        var p = Parser(tokens: try Lexer.tokenize(source))
        return try p.program()
    }

    /// Parses a single expression (used for `%push key=expr` values).
    static func parseExpression(_ source: String) throws -> Expr {
        var p = Parser(tokens: try Lexer.tokenize(source))
        let e = try p.expression()
        while p.peek.kind == .newline { p.i += 1 }
        guard p.peek.kind == .end else { throw p.error("unexpected \(p.describe(p.peek)) after the expression") }
        return e
    }

    private var peek: Token { tokens[min(i, tokens.count - 1)] }

    private mutating func next() -> Token {
        let t = peek
        i += 1
        return t
    }

    private func error(_ message: String, at p: SourcePosition? = nil) -> ShellSyntaxError {
        ShellSyntaxError(message: message, position: p ?? peek.position)
    }

    private func describe(_ t: Token) -> String {
        switch t.kind {
        case .name(let n): return "'\(n)'"
        case .int(let v): return "'\(v)'"
        case .float(let v): return "'\(v)'"
        case .string: return "string"
        case .op(let o): return "'\(o)'"
        case .magic: return "magic command"
        case .newline: return "end of line"
        case .indent: return "indent"
        case .dedent: return "dedent"
        case .end: return "end of input"
        }
    }

    private mutating func expectOp(_ op: String) throws {
        guard case .op(op) = peek.kind else { throw error("expected '\(op)' but found \(describe(peek))") }
        i += 1
    }

    private mutating func acceptOp(_ op: String) -> Bool {
        if case .op(op) = peek.kind { i += 1; return true }
        return false
    }

    mutating func program() throws -> [Statement] {
        var out: [Statement] = []
        while true {
            switch peek.kind {
            case .end: return out
            case .newline: i += 1
            case .indent: throw error("unexpected indent")
            case .dedent: i += 1
            default: out += try statementLine()
            }
        }
    }

    /// One logical line: a compound statement, or simple statements separated by `;`.
    private mutating func statementLine() throws -> [Statement] {
        let p = peek.position
        if case .magic(let text) = peek.kind {
            i += 1
            try endOfLine()
            return [.magic(text, p)]
        }
        if case .name("with") = peek.kind {
            i += 1
            let ctx = try expression()
            if case .name("as") = peek.kind {
                throw error("`with ... as name` is not supported; use `with context(...):`")
            }
            try expectOp(":")
            let body: [Statement]
            if peek.kind == .newline {
                i += 1
                guard peek.kind == .indent else { throw error("expected an indented block after 'with ...:'") }
                i += 1
                body = try block()
            } else {
                body = try simpleStatements()
            }
            return [.with(ctx, body: body, p)]
        }
        return try simpleStatements()
    }

    private mutating func block() throws -> [Statement] {
        var out: [Statement] = []
        while true {
            switch peek.kind {
            case .dedent: i += 1; return out
            case .end: return out
            case .newline: i += 1
            default: out += try statementLine()
            }
        }
    }

    private mutating func simpleStatements() throws -> [Statement] {
        var out = [try simpleStatement()]
        while acceptOp(";") {
            if peek.kind == .newline || peek.kind == .end { break }
            out.append(try simpleStatement())
        }
        try endOfLine()
        return out
    }

    private mutating func endOfLine() throws {
        switch peek.kind {
        case .newline: i += 1
        case .end, .dedent: break
        default: throw error("unexpected \(describe(peek))")
        }
    }

    private mutating func simpleStatement() throws -> Statement {
        let p = peek.position
        if case .name("import") = peek.kind {
            i += 1
            guard case .name(let module) = next().kind else { throw error("expected a module name after 'import'") }
            if case .name("as") = peek.kind { i += 2 }
            return .importStatement(module, p)
        }
        if case .name("from") = peek.kind {
            throw error("`from ... import ...` is not needed: everything DSPy offers is already available")
        }
        let e = try expression()
        if acceptOp("=") {
            switch e {
            case .name, .attribute, .subscriptAccess: break
            default: throw error("cannot assign to this expression", at: p)
            }
            return .assign(target: e, value: try expression(), p)
        }
        return .expression(e, p)
    }

    // MARK: Expressions

    mutating func expression() throws -> Expr {
        let first = try comparison()
        // A bare tuple `a, b` (Python allows it at statement level).
        if case .op(",") = peek.kind, !inCall {
            var items = [first]
            while acceptOp(",") {
                if peek.kind == .newline || peek.kind == .end { break }
                items.append(try comparison())
            }
            return .tuple(items, first.position)
        }
        return first
    }

    private var inCall = false

    private mutating func comparison() throws -> Expr {
        var e = try additive()
        while case .op(let op) = peek.kind, ["==", "!=", "<", ">", "<=", ">="].contains(op) {
            let p = next().position
            e = .binary(op, e, try additive(), p)
        }
        return e
    }

    private mutating func additive() throws -> Expr {
        var e = try multiplicative()
        while case .op(let op) = peek.kind, op == "+" || op == "-" {
            let p = next().position
            e = .binary(op, e, try multiplicative(), p)
        }
        return e
    }

    private mutating func multiplicative() throws -> Expr {
        var e = try unary()
        while case .op(let op) = peek.kind, ["*", "/", "//", "%"].contains(op) {
            let p = next().position
            e = .binary(op, e, try unary(), p)
        }
        return e
    }

    private mutating func unary() throws -> Expr {
        if case .op(let op) = peek.kind, op == "-" || op == "+" {
            let p = next().position
            return .unary(op, try unary(), p)
        }
        if case .name("not") = peek.kind {
            let p = next().position
            return .unary("not", try unary(), p)
        }
        if case .name("await") = peek.kind {
            let p = next().position
            return .await(try unary(), p)
        }
        return try power()
    }

    private mutating func power() throws -> Expr {
        let base = try postfix()
        if case .op("**") = peek.kind {
            let p = next().position
            return .binary("**", base, try unary(), p)
        }
        return base
    }

    private mutating func postfix() throws -> Expr {
        var e = try primary()
        while true {
            if case .op(".") = peek.kind {
                i += 1
                let p = peek.position
                guard case .name(let n) = next().kind else { throw error("expected an attribute name after '.'", at: p) }
                e = .attribute(e, n, p)
            } else if case .op("(") = peek.kind {
                let p = next().position
                e = .call(e, try arguments(), p)
            } else if case .op("[") = peek.kind {
                let p = next().position
                let saved = inCall
                inCall = true
                let idx = try comparison()
                inCall = saved
                try expectOp("]")
                e = .subscriptAccess(e, idx, p)
            } else {
                return e
            }
        }
    }

    private mutating func arguments() throws -> [Argument] {
        let saved = inCall
        inCall = true
        defer { inCall = saved }
        var args: [Argument] = []
        var sawKeyword = false
        while !acceptOp(")") {
            if case .name(let n) = peek.kind, i + 1 < tokens.count, case .op("=") = tokens[i + 1].kind {
                i += 2
                args.append(Argument(label: n, value: try comparison()))
                sawKeyword = true
            } else {
                if sawKeyword { throw error("positional argument follows keyword argument") }
                args.append(Argument(label: nil, value: try comparison()))
            }
            if !acceptOp(",") {
                try expectOp(")")
                break
            }
        }
        return args
    }

    private mutating func primary() throws -> Expr {
        let t = next()
        let p = t.position
        switch t.kind {
        case .int(let v): return .literal(.int(v), p)
        case .float(let v): return .literal(.float(v), p)
        case .string(var s):
            while case .string(let more) = peek.kind { s += more; i += 1 }  // adjacent literals join
            return .literal(.string(s), p)
        case .name(let n):
            switch n {
            case "True", "true": return .literal(.bool(true), p)
            case "False", "false": return .literal(.bool(false), p)
            case "None", "none", "null": return .literal(.none, p)
            default: return .name(n, p)
            }
        case .op("("):
            let saved = inCall
            inCall = true
            defer { inCall = saved }
            if acceptOp(")") { return .tuple([], p) }
            let first = try comparison()
            if acceptOp(")") { return first }
            var items = [first]
            while acceptOp(",") {
                if acceptOp(")") { return .tuple(items, p) }
                items.append(try comparison())
            }
            try expectOp(")")
            return .tuple(items, p)
        case .op("["):
            let saved = inCall
            inCall = true
            defer { inCall = saved }
            var items: [Expr] = []
            while !acceptOp("]") {
                items.append(try comparison())
                if !acceptOp(",") { try expectOp("]"); break }
            }
            return .list(items, p)
        case .op("{"):
            let saved = inCall
            inCall = true
            defer { inCall = saved }
            var pairs: [(Expr, Expr)] = []
            while !acceptOp("}") {
                let k = try comparison()
                try expectOp(":")
                pairs.append((k, try comparison()))
                if !acceptOp(",") { try expectOp("}"); break }
            }
            return .dict(pairs, p)
        case .magic:
            throw error("a magic command (%...) must start its own line", at: p)
        default:
            throw error("unexpected \(describe(t))", at: p)
        }
    }
}
