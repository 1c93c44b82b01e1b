import BigInt

/// A recursive-descent parser for the Python subset, producing ``Stmt`` and ``Expr`` trees with
/// CPython's syntax-error messages where users meet them. Nesting is bounded, so hostile input
/// gets a `SyntaxError` instead of exhausting the stack.
public struct Parser {
    /// How deep expressions and blocks may nest (brackets are bounded by the lexer at 200).
    public static let maxNesting = 200
    /// How tall one expression's tree may grow: chains (`a + b + ...`, `f()()...`,
    /// `x.a.b...`) deepen it without nesting, and the compiler recurses over it. CPython's
    /// compiler stops at about the same height, with a `RecursionError`.
    public static let maxExpressionHeight = 3000

    var tokens: [Token]
    var index = 0
    var depth = 0
    let source: [Unicode.Scalar]
    /// A position added to every reported line (for f-string fields parsed on their own).
    let lineOffset: Int
    let columnOffset: Int

    init(tokens: [Token], source: [Unicode.Scalar], lineOffset: Int = 0, columnOffset: Int = 0) {
        self.tokens = tokens
        self.source = source
        self.lineOffset = lineOffset
        self.columnOffset = columnOffset
    }

    /// Parses a module (a script or one interactive entry).
    public static func parseModule(_ source: String, firstLine: Int = 1) throws -> [Stmt] {
        var lexer = Lexer(source, startLine: firstLine)
        let tokens = try lexer.run()
        var parser = Parser(tokens: tokens, source: lexer.scalars)
        return try parser.parseFile()
    }

    /// Parses one expression (for `eval`-like uses such as `%push key=expr`).
    public static func parseExpression(_ source: String) throws -> Expr {
        var lexer = Lexer(source)
        let tokens = try lexer.run()
        var parser = Parser(tokens: tokens, source: lexer.scalars)
        parser.skipNewlines()
        let e = try parser.parseStarExpressions()
        parser.skipNewlines()
        guard parser.current.kind == .end else { throw parser.error("invalid syntax") }
        return e
    }

    // MARK: Token helpers

    var current: Token { tokens[index] }
    func peekToken(_ ahead: Int = 1) -> Token { tokens[min(index + ahead, tokens.count - 1)] }

    func at(_ op: String) -> Bool { current.kind == .op && current.text == op }
    func atKeyword(_ word: String) -> Bool { current.kind == .name && current.text == word }

    mutating func advance() -> Token {
        let t = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return t
    }

    mutating func accept(_ op: String) -> Bool {
        if at(op) { index += 1; return true }
        return false
    }

    mutating func acceptKeyword(_ word: String) -> Bool {
        if atKeyword(word) { index += 1; return true }
        return false
    }

    func pos(_ t: Token) -> SourcePosition {
        SourcePosition(line: t.start.line + lineOffset, column: t.start.line == 1 ? t.start.column + columnOffset : t.start.column)
    }

    func error(_ message: String, at token: Token? = nil) -> PythonSyntaxError {
        PythonSyntaxError(message, at: pos(token ?? current))
    }

    mutating func expect(_ op: String, _ message: String? = nil) throws {
        guard accept(op) else { throw error(message ?? "invalid syntax") }
    }

    mutating func skipNewlines() {
        while current.kind == .newline { index += 1 }
    }

    mutating func nest() throws {
        depth += 1
        if depth > Parser.maxNesting { throw error("too many nested parentheses") }
    }

    /// `e`, unless its tree is taller than ``maxExpressionHeight``: then CPython's
    /// compile-time `RecursionError` (compiling it would exhaust the stack).
    func bounded(_ e: Expr) throws -> Expr {
        guard e.height > Parser.maxExpressionHeight else { return e }
        throw PythonSyntaxError("maximum recursion depth exceeded during compilation", at: pos(current), kind: "RecursionError")
    }

    static let keywords: Set<String> = [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class",
        "continue", "def", "del", "elif", "else", "except", "finally", "for", "from",
        "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass",
        "raise", "return", "try", "while", "with", "yield",
    ]

    func isName(_ t: Token) -> Bool { t.kind == .name && !Parser.keywords.contains(t.text) }

    mutating func expectName() throws -> String {
        guard isName(current) else { throw error("invalid syntax") }
        return advance().text
    }

    // MARK: Statements

    mutating func parseFile() throws -> [Stmt] {
        var out: [Stmt] = []
        skipNewlines()
        while current.kind != .end {
            if current.kind == .indent { throw PythonSyntaxError("unexpected indent", at: pos(current), kind: "IndentationError") }
            out.append(contentsOf: try parseStatement())
            skipNewlines()
        }
        return out
    }

    mutating func parseStatement() throws -> [Stmt] {
        let t = current
        if t.kind == .op && t.text == "@" { return [try parseDecorated()] }
        if t.kind == .name {
            switch t.text {
            case "if": return [try parseIf()]
            case "while": return [try parseWhile()]
            case "for": return [try parseFor(isAsync: false, start: t)]
            case "try": return [try parseTry()]
            case "with": return [try parseWith(isAsync: false, start: t)]
            case "def": return [try parseFunctionDef(decorators: [], isAsync: false, start: t)]
            case "class": return [try parseClassDef(decorators: [], start: t)]
            case "async":
                let next = peekToken()
                if next.kind == .name && ["def", "for", "with"].contains(next.text) {
                    index += 1
                    switch next.text {
                    case "def": return [try parseFunctionDef(decorators: [], isAsync: true, start: t)]
                    case "for": return [try parseFor(isAsync: true, start: t)]
                    default: return [try parseWith(isAsync: true, start: t)]
                    }
                }
            case "elif", "else", "except", "finally":
                throw error("invalid syntax")
            default: break
            }
        }
        return try parseSimpleStatements()
    }

    mutating func parseSimpleStatements() throws -> [Stmt] {
        var out: [Stmt] = []
        while true {
            out.append(try parseSimpleStatement())
            if accept(";") {
                if current.kind == .newline || current.kind == .end { break }
                continue
            }
            break
        }
        guard current.kind == .newline || current.kind == .end else {
            throw error("invalid syntax")
        }
        if current.kind == .newline { index += 1 }
        return out
    }

    func lastLine() -> Int { tokens[max(0, index - 1)].end.line + lineOffset }

    mutating func parseSimpleStatement() throws -> Stmt {
        let t = current
        let p = pos(t)
        func make(_ k: StmtKind) -> Stmt { Stmt(k, p, endLine: lastLine()) }
        if t.kind == .name {
            switch t.text {
            case "pass": index += 1; return make(.pass)
            case "break": index += 1; return make(.break)
            case "continue": index += 1; return make(.continue)
            case "return":
                index += 1
                if atSimpleEnd() { return make(.return(nil)) }
                return make(.return(try parseStarExpressions()))
            case "raise":
                index += 1
                if atSimpleEnd() { return make(.raise(nil, cause: nil)) }
                let e = try parseExpression()
                var cause: Expr?
                if acceptKeyword("from") { cause = try parseExpression() }
                return make(.raise(e, cause: cause))
            case "global", "nonlocal":
                index += 1
                var names = [try expectName()]
                while accept(",") { names.append(try expectName()) }
                return make(t.text == "global" ? .global(names) : .nonlocal(names))
            case "del":
                index += 1
                var targets: [Expr] = []
                repeat {
                    if atSimpleEnd() { break }
                    let e = try parseBitOr()
                    try checkDeleteTarget(e)
                    targets.append(e)
                } while accept(",")
                if targets.isEmpty { throw error("invalid syntax") }
                return make(.delete(targets))
            case "assert":
                index += 1
                let test = try parseExpression()
                var msg: Expr?
                if accept(",") { msg = try parseExpression() }
                return make(.assert(test, msg))
            case "import":
                index += 1
                var names: [ImportName] = []
                repeat {
                    let name = try parseDottedName()
                    var alias: String?
                    if acceptKeyword("as") { alias = try expectName() }
                    names.append(ImportName(name: name, alias: alias))
                } while accept(",")
                return make(.import(names))
            case "from":
                index += 1
                var level = 0
                while at(".") || at("...") { level += advance().text.count }
                var module = ""
                if !atKeyword("import") { module = try parseDottedName() }
                guard acceptKeyword("import") else { throw error("invalid syntax") }
                var names: [ImportName] = []
                if accept("*") {
                    names.append(ImportName(name: "*", alias: nil))
                } else {
                    let parens = accept("(")
                    repeat {
                        if parens && at(")") { break }
                        let name = try expectName()
                        var alias: String?
                        if acceptKeyword("as") { alias = try expectName() }
                        names.append(ImportName(name: name, alias: alias))
                    } while accept(",")
                    if parens { try expect(")") }
                    if names.isEmpty { throw error("invalid syntax") }
                }
                return make(.importFrom(module: module, names: names, level: level))
            case "print":
                // Python 2's print statement: CPython's hint.
                let next = peekToken()
                if next.kind == .string || next.kind == .number || (next.kind == .name && !Parser.keywords.contains(next.text)) {
                    throw PythonSyntaxError("Missing parentheses in call to 'print'. Did you mean print(...)?", at: p)
                }
            default: break
            }
        }
        // Expression, assignment, augmented or annotated assignment.
        let first = try parseStarExpressionsOrYield()
        if at(":") && !isTupleWithoutParens(first) {
            index += 1
            try checkAssignTarget(first, annotated: true)
            let annotation = try parseExpression()
            var value: Expr?
            if accept("=") { value = try parseStarExpressionsOrYield() }
            var simple = false
            if case .name = first.kind { simple = true }
            return make(.annAssign(target: first, annotation: annotation, value: value, simple: simple))
        }
        if current.kind == .op, let op = BinaryOperator(rawValue: String(current.text.dropLast())), current.text.hasSuffix("="),
            current.text.count >= 2, current.text != "==" && current.text != "<=" && current.text != ">=" && current.text != "!="
        {
            let opToken = advance()
            switch first.kind {
            case .name, .attribute, .subscript: break
            default:
                throw PythonSyntaxError("'\(Self.describeForError(first))' is an illegal expression for augmented assignment", at: first.position)
            }
            _ = opToken
            let value = try parseStarExpressionsOrYield()
            if at("=") { throw error("invalid syntax") }
            return make(.augAssign(first, op, value))
        }
        if at("=") {
            var targets = [first]
            var value = first
            while accept("=") {
                value = try parseStarExpressionsOrYield()
                targets.append(value)
            }
            targets.removeLast()
            for target in targets { try checkAssignTarget(target, annotated: false) }
            return make(.assign(targets: targets, value: value))
        }
        if case .starred = first.kind { throw PythonSyntaxError("can't use starred expression here", at: first.position) }
        return make(.expression(first))
    }

    func isTupleWithoutParens(_ e: Expr) -> Bool {
        if case .tuple = e.kind, tokens[max(0, index - 1)].text != ")" { return true }
        return false
    }

    func atSimpleEnd() -> Bool { current.kind == .newline || current.kind == .end || at(";") }

    mutating func parseDottedName() throws -> String {
        var name = try expectName()
        while accept(".") { name += "." + (try expectName()) }
        return name
    }

    static func describeForError(_ e: Expr) -> String {
        switch e.kind {
        case .call: return "function call"
        case .constant(let c):
            switch c {
            case .none: return "None"
            case .bool(let b): return b ? "True" : "False"
            case .ellipsis: return "ellipsis"
            default: return "literal"
            }
        case .fString: return "f-string expression"
        case .binary, .unary: return "expression"
        case .and, .or: return "expression"
        case .compare: return "comparison"
        case .conditional: return "conditional expression"
        case .lambda: return "lambda"
        case .listComp: return "list comprehension"
        case .setComp: return "set comprehension"
        case .dictComp: return "dict comprehension"
        case .generator: return "generator expression"
        case .await: return "await expression"
        case .yield, .yieldFrom: return "yield expression"
        case .namedExpr: return "named expression"
        case .tuple: return "tuple"
        case .list: return "list"
        case .dict: return "dict literal"
        case .set: return "set display"
        case .starred: return "starred"
        case .name, .attribute, .subscript, .slice: return "expression"
        }
    }

    func checkAssignTarget(_ e: Expr, annotated: Bool) throws {
        switch e.kind {
        case .name(let n):
            if n == "__debug__" { throw PythonSyntaxError("cannot assign to __debug__", at: e.position) }
        case .attribute, .subscript: break
        case .tuple(let items), .list(let items):
            if annotated {
                throw PythonSyntaxError("only single target (not \(Self.describeForError(e))) can be annotated", at: e.position)
            }
            var starred = 0
            for item in items {
                if case .starred(let inner) = item.kind {
                    starred += 1
                    try checkAssignTarget(inner, annotated: false)
                } else {
                    try checkAssignTarget(item, annotated: false)
                }
            }
            if starred > 1 { throw PythonSyntaxError("multiple starred expressions in assignment", at: e.position) }
        case .starred:
            throw PythonSyntaxError("starred assignment target must be in a list or tuple", at: e.position)
        case .constant(.none), .constant(.bool), .constant(.ellipsis):
            throw PythonSyntaxError("cannot assign to \(Self.describeForError(e))", at: e.position)
        default:
            let what = Self.describeForError(e)
            let hint = (annotated ? "" : " here. Maybe you meant '==' instead of '='?")
            throw PythonSyntaxError("cannot assign to \(what)\(hint)", at: e.position)
        }
    }

    func checkDeleteTarget(_ e: Expr) throws {
        switch e.kind {
        case .name, .attribute, .subscript: break
        case .tuple(let items), .list(let items): for i in items { try checkDeleteTarget(i) }
        default: throw PythonSyntaxError("cannot delete \(Self.describeForError(e))", at: e.position)
        }
    }

    /// A block after `:`: an indented suite, or simple statements on the same line.
    mutating func parseBlock(after what: String, line: Int) throws -> [Stmt] {
        try expect(":", "expected ':'")
        if current.kind == .newline {
            index += 1
            guard current.kind == .indent else {
                throw PythonSyntaxError("expected an indented block after \(what) on line \(line)", at: pos(current), kind: "IndentationError")
            }
            index += 1
            try nest()
            defer { depth -= 1 }
            var body: [Stmt] = []
            while current.kind != .dedent && current.kind != .end {
                if current.kind == .indent { throw PythonSyntaxError("unexpected indent", at: pos(current), kind: "IndentationError") }
                body.append(contentsOf: try parseStatement())
                skipNewlines()
            }
            if current.kind == .dedent { index += 1 }
            return body
        }
        if current.kind == .end {
            throw PythonSyntaxError("expected an indented block after \(what) on line \(line)", at: pos(current), kind: "IndentationError")
        }
        return try parseSimpleStatements()
    }

    mutating func parseIf() throws -> Stmt {
        let start = advance()
        let line = pos(start).line
        let test = try parseNamedExpression()
        let body = try parseBlock(after: "'if' statement", line: line)
        var orElse: [Stmt] = []
        if atKeyword("elif") {
            orElse = [try parseIf()]
        } else if atKeyword("else") {
            let e = advance()
            orElse = try parseBlock(after: "'else' statement", line: pos(e).line)
        }
        return Stmt(.if(test, body, orElse), pos(start), endLine: lastLine())
    }

    mutating func parseWhile() throws -> Stmt {
        let start = advance()
        let test = try parseNamedExpression()
        let body = try parseBlock(after: "'while' statement", line: pos(start).line)
        var orElse: [Stmt] = []
        if atKeyword("else") {
            let e = advance()
            orElse = try parseBlock(after: "'else' statement", line: pos(e).line)
        }
        return Stmt(.while(test, body, orElse), pos(start), endLine: lastLine())
    }

    mutating func parseFor(isAsync: Bool, start: Token) throws -> Stmt {
        index += 1  // `for`
        let target = try parseTargetList()
        guard acceptKeyword("in") else { throw error("invalid syntax") }
        let iterable = try parseStarExpressions()
        let body = try parseBlock(after: "'for' statement", line: pos(start).line)
        var orElse: [Stmt] = []
        if atKeyword("else") {
            let e = advance()
            orElse = try parseBlock(after: "'else' statement", line: pos(e).line)
        }
        return Stmt(.for(target: target, iterable: iterable, body: body, orElse: orElse, isAsync: isAsync), pos(start), endLine: lastLine())
    }

    /// `for` and comprehension targets: a star-target list, stopping before `in`.
    mutating func parseTargetList() throws -> Expr {
        let p = pos(current)
        var items: [Expr] = []
        var trailingComma = false
        repeat {
            if atKeyword("in") { break }
            if accept("*") {
                let inner = try parseBitOr()
                items.append(Expr(.starred(inner), p))
            } else {
                items.append(try parseBitOr())
            }
            trailingComma = at(",")
        } while accept(",")
        guard !items.isEmpty else { throw error("invalid syntax") }
        let target = items.count == 1 && !trailingComma ? items[0] : Expr(.tuple(items), p)
        try checkAssignTarget(target, annotated: false)
        return target
    }

    mutating func parseTry() throws -> Stmt {
        let start = advance()
        let body = try parseBlock(after: "'try' statement", line: pos(start).line)
        var handlers: [ExceptHandler] = []
        while atKeyword("except") {
            let e = advance()
            var type: Expr?
            var name: String?
            if !at(":") {
                type = try parseExpression()
                if at(",") {
                    // `except A, B:` is Python 2.
                    throw PythonSyntaxError("multiple exception types must be parenthesized", at: type?.position ?? pos(current))
                }
                if acceptKeyword("as") { name = try expectName() }
            }
            let hbody = try parseBlock(after: "'except' statement", line: pos(e).line)
            handlers.append(ExceptHandler(type: type, name: name, body: hbody, position: pos(e)))
        }
        var orElse: [Stmt] = []
        var finally: [Stmt] = []
        if atKeyword("else") {
            if handlers.isEmpty { throw error("expected 'except' or 'finally' block") }
            let e = advance()
            orElse = try parseBlock(after: "'else' statement", line: pos(e).line)
        }
        if atKeyword("finally") {
            let f = advance()
            finally = try parseBlock(after: "'finally' statement", line: pos(f).line)
        }
        if handlers.isEmpty && finally.isEmpty { throw error("expected 'except' or 'finally' block") }
        return Stmt(.try(body: body, handlers: handlers, orElse: orElse, finally: finally), pos(start), endLine: lastLine())
    }

    mutating func parseWith(isAsync: Bool, start: Token) throws -> Stmt {
        index += 1  // `with`
        var items: [(Expr, Expr?)] = []
        // `with (a as b, c as d):` — parenthesized items.
        let save = index
        if at("(") {
            index += 1
            var ok = true
            var parsed: [(Expr, Expr?)] = []
            do {
                repeat {
                    if at(")") { break }
                    let e = try parseExpression()
                    var target: Expr?
                    if acceptKeyword("as") {
                        target = try parseTargetSingle()
                    }
                    parsed.append((e, target))
                } while accept(",")
                if !accept(")") || !at(":") { ok = false }
            } catch { ok = false }
            if ok && !parsed.isEmpty && parsed.contains(where: { $0.1 != nil }) || (ok && parsed.count > 1) {
                items = parsed
            } else {
                index = save
            }
        }
        if items.isEmpty {
            repeat {
                let e = try parseExpression()
                var target: Expr?
                if acceptKeyword("as") { target = try parseTargetSingle() }
                items.append((e, target))
            } while accept(",")
        }
        let body = try parseBlock(after: "'with' statement", line: pos(start).line)
        return Stmt(.with(items: items, body: body, isAsync: isAsync), pos(start), endLine: lastLine())
    }

    mutating func parseTargetSingle() throws -> Expr {
        let t = try parseBitOrOrTupleTarget()
        try checkAssignTarget(t, annotated: false)
        return t
    }

    mutating func parseBitOrOrTupleTarget() throws -> Expr {
        if at("(") || at("[") {
            return try parseAtomExpr()
        }
        return try parseBitOr()
    }

    mutating func parseDecorated() throws -> Stmt {
        var decorators: [Expr] = []
        let start = current
        while accept("@") {
            decorators.append(try parseNamedExpression())
            guard current.kind == .newline else { throw error("invalid syntax") }
            index += 1
            skipNewlines()
        }
        if atKeyword("def") { return try parseFunctionDef(decorators: decorators, isAsync: false, start: start) }
        if atKeyword("async") && peekToken().text == "def" {
            index += 1
            return try parseFunctionDef(decorators: decorators, isAsync: true, start: start)
        }
        if atKeyword("class") { return try parseClassDef(decorators: decorators, start: start) }
        throw error("invalid syntax")
    }

    mutating func parseFunctionDef(decorators: [Expr], isAsync: Bool, start: Token) throws -> Stmt {
        let defToken = advance()  // `def`
        let name = try expectName()
        try expect("(", "invalid syntax")
        let params = try parseParameters(closing: ")", allowAnnotations: true)
        try expect(")")
        var returns: Expr?
        if accept("->") { returns = try parseExpression() }
        let body = try parseBlock(after: "function definition", line: pos(defToken).line)
        let def = FunctionDef(name: name, parameters: params, body: body, decorators: decorators, returns: returns, isAsync: isAsync)
        return Stmt(.functionDef(def), pos(start), endLine: lastLine())
    }

    mutating func parseParameters(closing: String, allowAnnotations: Bool) throws -> Parameters {
        var params = Parameters()
        var seenDefault = false
        var afterStar = false
        var names = Set<String>()
        func checkDuplicate(_ n: String, _ t: Token) throws {
            if !names.insert(n).inserted { throw PythonSyntaxError("duplicate argument '\(n)' in function definition", at: pos(t)) }
        }
        while !at(closing) {
            let t = current
            if accept("/") {
                guard !afterStar, params.positionalOnly.isEmpty else { throw error("invalid syntax") }
                guard !params.positional.isEmpty else { throw PythonSyntaxError("at least one argument must precede /", at: pos(t)) }
                params.positionalOnly = params.positional
                params.positional = []
            } else if accept("**") {
                let nt = current
                let name = try expectName()
                try checkDuplicate(name, nt)
                var ann: Expr?
                if allowAnnotations && accept(":") { ann = try parseExpression() }
                params.varKeywords = Parameters.Parameter(name: name, annotation: ann, defaultValue: nil, position: pos(nt))
                _ = accept(",")
                if !at(closing) { throw error("arguments cannot follow var-keyword argument") }
                break
            } else if accept("*") {
                if afterStar { throw PythonSyntaxError("* argument may appear only once", at: pos(t)) }
                afterStar = true
                if at(",") || at(closing) {
                    if at(closing) || peekToken().text == "**" && false {
                        throw PythonSyntaxError("named arguments must follow bare *", at: pos(t))
                    }
                    let save = index
                    index += 1
                    if at(closing) || at("**") { throw PythonSyntaxError("named arguments must follow bare *", at: pos(t)) }
                    index = save
                } else {
                    let nt = current
                    let name = try expectName()
                    try checkDuplicate(name, nt)
                    var ann: Expr?
                    if allowAnnotations && accept(":") { ann = try parseExpression() }
                    params.varArgs = Parameters.Parameter(name: name, annotation: ann, defaultValue: nil, position: pos(nt))
                }
            } else {
                let nt = current
                let name = try expectName()
                try checkDuplicate(name, nt)
                var ann: Expr?
                if allowAnnotations && accept(":") { ann = try parseExpression() }
                var def: Expr?
                if accept("=") {
                    def = try parseExpression()
                    if !afterStar { seenDefault = true }
                } else if seenDefault && !afterStar {
                    throw PythonSyntaxError("non-default argument follows default argument", at: pos(nt))
                }
                let p = Parameters.Parameter(name: name, annotation: ann, defaultValue: def, position: pos(nt))
                if afterStar { params.keywordOnly.append(p) } else { params.positional.append(p) }
            }
            if !accept(",") { break }
        }
        return params
    }

    mutating func parseClassDef(decorators: [Expr], start: Token) throws -> Stmt {
        let classToken = advance()
        let name = try expectName()
        var bases: [Argument] = []
        if accept("(") {
            bases = try parseArguments()
            try expect(")")
        }
        let body = try parseBlock(after: "class definition", line: pos(classToken).line)
        return Stmt(.classDef(ClassDef(name: name, bases: bases, body: body, decorators: decorators)), pos(start), endLine: lastLine())
    }

    // MARK: Expressions

    /// `a, *b, c` (a tuple when there is a comma).
    mutating func parseStarExpressions() throws -> Expr {
        let p = pos(current)
        let first = try parseStarExpression()
        guard at(",") else { return first }
        var items = [first]
        while accept(",") {
            if atExpressionEnd() { break }
            items.append(try parseStarExpression())
        }
        return Expr(.tuple(items), p)
    }

    mutating func parseStarExpressionsOrYield() throws -> Expr {
        if atKeyword("yield") { return try parseYield() }
        return try parseStarExpressions()
    }

    func atExpressionEnd() -> Bool {
        if current.kind == .newline || current.kind == .end { return true }
        if current.kind == .op && [")", "]", "}", "=", ":", ";"].contains(current.text) { return true }
        if current.kind == .op && current.text.hasSuffix("=") && current.text.count >= 2 && !["==", "<=", ">=", "!="].contains(current.text) {
            return true
        }
        if atKeyword("in") { return true }
        return false
    }

    mutating func parseStarExpression() throws -> Expr {
        if at("*") {
            let t = advance()
            return Expr(.starred(try parseBitOr()), pos(t))
        }
        return try parseNamedExpression()
    }

    mutating func parseYield() throws -> Expr {
        let t = advance()
        if acceptKeyword("from") { return Expr(.yieldFrom(try parseExpression()), pos(t)) }
        if atExpressionEnd() || at(")") { return Expr(.yield(nil), pos(t)) }
        return Expr(.yield(try parseStarExpressions()), pos(t))
    }

    mutating func parseNamedExpression() throws -> Expr {
        if isName(current) && peekToken().kind == .op && peekToken().text == ":=" {
            let t = advance()
            index += 1
            return Expr(.namedExpr(t.text, try parseExpression()), pos(t))
        }
        let e = try parseExpression()
        if at(":=") { throw PythonSyntaxError("cannot use assignment expressions with \(Self.describeForError(e))", at: e.position) }
        return e
    }

    mutating func parseExpression() throws -> Expr {
        try nest()
        defer { depth -= 1 }
        if atKeyword("lambda") { return try bounded(parseLambda()) }
        let body = try parseOr()
        if atKeyword("if") {
            let ifToken = advance()
            let test = try parseOr()
            guard acceptKeyword("else") else {
                throw PythonSyntaxError("expected 'else' after 'if' expression", at: body.position)
            }
            _ = ifToken
            let orElse = try parseExpression()
            return try bounded(Expr(.conditional(test: test, body: body, orElse: orElse), body.position))
        }
        return try bounded(body)
    }

    mutating func parseLambda() throws -> Expr {
        let t = advance()
        let params = try parseParameters(closing: ":", allowAnnotations: false)
        try expect(":")
        let body = try parseExpression()
        return Expr(.lambda(params, body), pos(t))
    }

    mutating func parseOr() throws -> Expr {
        let first = try parseAnd()
        guard atKeyword("or") else { return first }
        var items = [first]
        while acceptKeyword("or") { items.append(try parseAnd()) }
        return Expr(.or(items), first.position)
    }

    mutating func parseAnd() throws -> Expr {
        let first = try parseNot()
        guard atKeyword("and") else { return first }
        var items = [first]
        while acceptKeyword("and") { items.append(try parseNot()) }
        return Expr(.and(items), first.position)
    }

    mutating func parseNot() throws -> Expr {
        if atKeyword("not") {
            let t = advance()
            try nest()
            defer { depth -= 1 }
            return Expr(.unary(.not, try parseNot()), pos(t))
        }
        return try parseComparison()
    }

    mutating func parseComparison() throws -> Expr {
        let first = try parseBitOr()
        var ops: [(CompareOperator, Expr)] = []
        while true {
            var op: CompareOperator?
            if current.kind == .op, let o = CompareOperator(rawValue: current.text), !["is", "in"].contains(current.text) {
                op = o
                index += 1
            } else if atKeyword("in") {
                op = .in
                index += 1
            } else if atKeyword("not") && peekToken().kind == .name && peekToken().text == "in" {
                op = .notIn
                index += 2
            } else if atKeyword("is") {
                index += 1
                op = acceptKeyword("not") ? .isNot : .is
            }
            guard let o = op else { break }
            ops.append((o, try parseBitOr()))
        }
        return ops.isEmpty ? first : Expr(.compare(first, ops), first.position)
    }

    mutating func parseBinary(_ ops: [String], _ next: (inout Parser) throws -> Expr) throws -> Expr {
        var left = try next(&self)
        while current.kind == .op, ops.contains(current.text) {
            let op = advance()
            guard let b = BinaryOperator(rawValue: op.text) else { throw error("invalid syntax") }
            let right = try next(&self)
            left = try bounded(Expr(.binary(b, left, right), left.position))
        }
        return left
    }

    mutating func parseBitOr() throws -> Expr { try parseBinary(["|"]) { try $0.parseBitXor() } }
    mutating func parseBitXor() throws -> Expr { try parseBinary(["^"]) { try $0.parseBitAnd() } }
    mutating func parseBitAnd() throws -> Expr { try parseBinary(["&"]) { try $0.parseShift() } }
    mutating func parseShift() throws -> Expr { try parseBinary(["<<", ">>"]) { try $0.parseSum() } }
    mutating func parseSum() throws -> Expr { try parseBinary(["+", "-"]) { try $0.parseTerm() } }
    mutating func parseTerm() throws -> Expr { try parseBinary(["*", "/", "//", "%", "@"]) { try $0.parseFactor() } }

    mutating func parseFactor() throws -> Expr {
        if current.kind == .op, ["+", "-", "~"].contains(current.text) {
            let t = advance()
            try nest()
            defer { depth -= 1 }
            let operand = try parseFactor()
            let op: UnaryOperator = t.text == "+" ? .plus : t.text == "-" ? .minus : .invert
            // Fold `-5` into a constant, as CPython's parser does for literals.
            if op == .minus, case .constant(let c) = operand.kind {
                switch c {
                case .int(let i) where i != Int.min: return Expr(.constant(.int(-i)), pos(t))
                case .float(let d): return Expr(.constant(.float(-d)), pos(t))
                default: break
                }
            }
            return Expr(.unary(op, operand), pos(t))
        }
        return try parsePower()
    }

    mutating func parsePower() throws -> Expr {
        let base = try parseAwait()
        if accept("**") {
            try nest()
            defer { depth -= 1 }
            let exponent = try parseFactor()
            return Expr(.binary(.pow, base, exponent), base.position)
        }
        return base
    }

    mutating func parseAwait() throws -> Expr {
        if atKeyword("await") {
            let t = advance()
            try nest()
            defer { depth -= 1 }
            return Expr(.await(try parseAwait()), pos(t))
        }
        return try parseAtomExpr()
    }

    mutating func parseAtomExpr() throws -> Expr {
        var e = try parseAtom()
        while true {
            if at(".") {
                index += 1
                guard current.kind == .name else { throw error("invalid syntax") }
                e = try bounded(Expr(.attribute(e, advance().text), e.position))
            } else if at("(") {
                index += 1
                let args = try parseArguments()
                try expect(")")
                e = try bounded(Expr(.call(e, args), e.position))
            } else if at("[") {
                index += 1
                let s = try parseSlices()
                try expect("]")
                e = try bounded(Expr(.subscript(e, s), e.position))
            } else {
                return e
            }
        }
    }

    mutating func parseSlices() throws -> Expr {
        let p = pos(current)
        let first = try parseSlice()
        guard at(",") else { return first }
        var items = [first]
        while accept(",") {
            if at("]") { break }
            items.append(try parseSlice())
        }
        return Expr(.tuple(items), p)
    }

    mutating func parseSlice() throws -> Expr {
        let p = pos(current)
        var lower: Expr?
        if !at(":") {
            let e = try parseStarExpressionOrNamed()
            guard at(":") else { return e }
            lower = e
        }
        index += 1  // `:`
        var upper: Expr?
        var step: Expr?
        if !at(":") && !at("]") && !at(",") { upper = try parseExpression() }
        if accept(":") {
            if !at("]") && !at(",") { step = try parseExpression() }
        }
        return Expr(.slice(lower, upper, step), p)
    }

    mutating func parseStarExpressionOrNamed() throws -> Expr {
        if at("*") { return try parseStarExpression() }
        return try parseNamedExpression()
    }

    mutating func parseArguments() throws -> [Argument] {
        var args: [Argument] = []
        var seenKeyword = false
        var seenDoubleStar = false
        while !at(")") {
            let t = current
            if accept("**") {
                args.append(.doubleStarred(try parseExpression()))
                seenDoubleStar = true
            } else if accept("*") {
                if seenDoubleStar {
                    throw PythonSyntaxError("iterable argument unpacking follows keyword argument unpacking", at: pos(t))
                }
                args.append(.starred(try parseExpression()))
            } else if isName(current) && peekToken().kind == .op && peekToken().text == "=" {
                let name = advance().text
                index += 1
                args.append(.keyword(name, try parseExpression()))
                seenKeyword = true
            } else {
                let e = try parseNamedExpression()
                if atKeyword("for") || atKeyword("async") {
                    let comps = try parseComprehensions()
                    let g = Expr(.generator(e, comps), e.position)
                    if !args.isEmpty || at(",") && peekToken().text != ")" {
                        throw PythonSyntaxError("Generator expression must be parenthesized", at: e.position)
                    }
                    args.append(.positional(g))
                } else {
                    if at("=") {
                        throw PythonSyntaxError("expression cannot contain assignment, perhaps you meant \"==\"?", at: e.position)
                    }
                    if seenDoubleStar {
                        throw PythonSyntaxError("positional argument follows keyword argument unpacking", at: e.position)
                    }
                    if seenKeyword {
                        throw PythonSyntaxError("positional argument follows keyword argument", at: e.position)
                    }
                    args.append(.positional(e))
                }
            }
            if !accept(",") { break }
        }
        return args
    }

    mutating func parseComprehensions() throws -> [Comprehension] {
        var out: [Comprehension] = []
        while atKeyword("for") || (atKeyword("async") && peekToken().text == "for") {
            let isAsync = acceptKeyword("async")
            index += 1  // `for`
            let target = try parseTargetList()
            guard acceptKeyword("in") else { throw error("invalid syntax") }
            let iterable = try parseOr()
            var conditions: [Expr] = []
            while atKeyword("if") {
                index += 1
                conditions.append(try parseOrNoConditional())
            }
            out.append(Comprehension(target: target, iterable: iterable, conditions: conditions, isAsync: isAsync))
        }
        return out
    }

    mutating func parseOrNoConditional() throws -> Expr { try parseOr() }

    mutating func parseAtom() throws -> Expr {
        let t = current
        let p = pos(t)
        switch t.kind {
        case .name:
            switch t.text {
            case "True": index += 1; return Expr(.constant(.bool(true)), p)
            case "False": index += 1; return Expr(.constant(.bool(false)), p)
            case "None": index += 1; return Expr(.constant(.none), p)
            case "yield":
                throw error("invalid syntax")
            default:
                if Parser.keywords.contains(t.text) { throw error("invalid syntax") }
                index += 1
                return Expr(.name(t.text), p)
            }
        case .number:
            index += 1
            return Expr(.constant(try parseNumber(t)), p)
        case .string:
            return try parseStrings()
        case .op:
            switch t.text {
            case "(":
                index += 1
                try nest()
                defer { depth -= 1 }
                if accept(")") { return Expr(.tuple([]), p) }
                if atKeyword("yield") {
                    let y = try parseYield()
                    try expect(")")
                    return y
                }
                let first = try parseStarExpressionOrNamed()
                if atKeyword("for") || atKeyword("async") {
                    let comps = try parseComprehensions()
                    try expect(")")
                    return Expr(.generator(first, comps), p)
                }
                if accept(")") {
                    if case .starred = first.kind { throw PythonSyntaxError("cannot use starred expression here", at: first.position) }
                    return first
                }
                var items = [first]
                while accept(",") {
                    if at(")") { break }
                    items.append(try parseStarExpressionOrNamed())
                }
                if !at(")") {
                    if current.kind != .end && current.kind != .newline && !at(",") {
                        throw PythonSyntaxError("invalid syntax. Perhaps you forgot a comma?", at: items.last?.position ?? p)
                    }
                }
                try expect(")")
                return Expr(.tuple(items), p)
            case "[":
                index += 1
                try nest()
                defer { depth -= 1 }
                if accept("]") { return Expr(.list([]), p) }
                let first = try parseStarExpressionOrNamed()
                if atKeyword("for") || atKeyword("async") {
                    let comps = try parseComprehensions()
                    try expect("]")
                    return Expr(.listComp(first, comps), p)
                }
                var items = [first]
                while accept(",") {
                    if at("]") { break }
                    items.append(try parseStarExpressionOrNamed())
                }
                if !at("]") && current.kind != .end && current.kind != .newline {
                    throw PythonSyntaxError("invalid syntax. Perhaps you forgot a comma?", at: items.last?.position ?? p)
                }
                try expect("]")
                return Expr(.list(items), p)
            case "{":
                index += 1
                try nest()
                defer { depth -= 1 }
                return try parseBraces(p)
            case "...":
                index += 1
                return Expr(.constant(.ellipsis), p)
            default:
                throw error("invalid syntax")
            }
        case .newline, .end:
            throw error("invalid syntax")
        case .indent:
            throw PythonSyntaxError("unexpected indent", at: p, kind: "IndentationError")
        case .dedent:
            throw error("invalid syntax")
        }
    }

    mutating func parseBraces(_ p: SourcePosition) throws -> Expr {
        if accept("}") { return Expr(.dict([]), p) }
        if accept("**") {
            var pairs: [(key: Expr?, value: Expr)] = [(nil, try parseBitOr())]
            try parseDictRest(&pairs)
            return Expr(.dict(pairs), p)
        }
        let first = try parseStarExpressionOrNamed()
        if accept(":") {
            let value = try parseExpression()
            if atKeyword("for") || atKeyword("async") {
                let comps = try parseComprehensions()
                try expect("}")
                return Expr(.dictComp(first, value, comps), p)
            }
            var pairs: [(key: Expr?, value: Expr)] = [(first, value)]
            try parseDictRest(&pairs)
            return Expr(.dict(pairs), p)
        }
        if atKeyword("for") || atKeyword("async") {
            let comps = try parseComprehensions()
            try expect("}")
            return Expr(.setComp(first, comps), p)
        }
        var items = [first]
        while accept(",") {
            if at("}") { break }
            items.append(try parseStarExpressionOrNamed())
        }
        try expect("}")
        return Expr(.set(items), p)
    }

    mutating func parseDictRest(_ pairs: inout [(key: Expr?, value: Expr)]) throws {
        while accept(",") {
            if at("}") { break }
            if accept("**") {
                pairs.append((nil, try parseBitOr()))
            } else {
                let k = try parseExpression()
                try expect(":", "':' expected after dictionary key")
                pairs.append((k, try parseExpression()))
            }
        }
        try expect("}")
    }

    func parseNumber(_ t: Token) throws -> Constant {
        var text = t.text.replacingOccurrences(of: "_", with: "")
        if text.hasSuffix("j") || text.hasSuffix("J") {
            throw PythonSyntaxError("complex numbers are not supported in this shell", at: pos(t))
        }
        let lower = text.lowercased()
        var radix = 10
        if lower.hasPrefix("0x") { radix = 16 } else if lower.hasPrefix("0o") { radix = 8 } else if lower.hasPrefix("0b") { radix = 2 }
        if radix != 10 {
            text = String(text.dropFirst(2))
            let valid: (Character) -> Bool
            switch radix {
            case 16: valid = { $0.isHexDigit }
            case 8: valid = { ("0"..."7").contains($0) }
            default: valid = { $0 == "0" || $0 == "1" }
            }
            if let bad = text.first(where: { !valid($0) }) {
                let kind = radix == 16 ? "hexadecimal" : radix == 8 ? "octal" : "binary"
                throw PythonSyntaxError("invalid digit '\(bad)' in \(kind) literal", at: pos(t))
            }
            if text.isEmpty {
                let kind = radix == 16 ? "hexadecimal" : radix == 8 ? "octal" : "binary"
                throw PythonSyntaxError("invalid \(kind) literal", at: pos(t))
            }
            if let i = Int(text, radix: radix) { return .int(i) }
            if let b = BigInt(text, radix: radix) { return .bigInt(b) }
            throw error("invalid syntax", at: t)
        }
        if lower.contains(".") || lower.contains("e") {
            guard let d = Double(text) else { throw PythonSyntaxError("invalid decimal literal", at: pos(t)) }
            return .float(d)
        }
        if text.count > 1 && text.hasPrefix("0") && text.contains(where: { $0 != "0" }) {
            throw PythonSyntaxError("leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers", at: pos(t))
        }
        if let i = Int(text) { return .int(i) }
        // CPython's limit on decimal digits for int/str conversion.
        if text.count > 4300 {
            throw PythonSyntaxError(
                "Exceeds the limit (4300 digits) for integer string conversion: value has \(text.count) digits; use sys.set_int_max_str_digits() to increase the limit",
                at: pos(t))
        }
        if let b = BigInt(text) { return .bigInt(b) }
        throw PythonSyntaxError("invalid decimal literal", at: pos(t))
    }

    // MARK: Strings

    /// Adjacent string literals concatenate; any f-string makes the result an f-string.
    mutating func parseStrings() throws -> Expr {
        let p = pos(current)
        var parts: [FStringPart] = []
        var isF = false
        var isBytes = false
        while current.kind == .string {
            let t = advance()
            let lit = try StringLiteral(t)
            if lit.isBytes { isBytes = true }
            if lit.isF {
                isF = true
                parts.append(contentsOf: try parseFString(lit, token: t))
            } else {
                parts.append(.literal(try lit.decoded(position: pos(t))))
            }
        }
        if isBytes {
            throw PythonSyntaxError("bytes literals are not supported in this shell", at: p)
        }
        if !isF {
            var s = ""
            for case .literal(let l) in parts { s += l }
            return Expr(.constant(.string(s)), p)
        }
        // Merge adjacent literals.
        var merged: [FStringPart] = []
        for part in parts {
            if case .literal(let l) = part, case .literal(let prev)? = merged.last {
                merged[merged.count - 1] = .literal(prev + l)
            } else {
                merged.append(part)
            }
        }
        return Expr(.fString(merged), p)
    }

    /// Splits an f-string body into literals and `{...}` fields (Python 3.11 rules).
    mutating func parseFString(_ lit: StringLiteral, token: Token) throws -> [FStringPart] {
        let body = lit.body
        // Where the body starts in the source, to point errors at the right column.
        let bodyStart = SourcePosition(line: pos(token).line, column: pos(token).column + lit.prefixLength + lit.quoteLength)
        return try parseFStringBody(body, raw: lit.isRaw, start: bodyStart, nesting: 0)
    }

    func parseFStringBody(_ body: [Unicode.Scalar], raw: Bool, start: SourcePosition, nesting: Int) throws -> [FStringPart] {
        var parts: [FStringPart] = []
        var literal: [Unicode.Scalar] = []
        var i = 0
        func flush() throws {
            if !literal.isEmpty {
                let text = String(String.UnicodeScalarView(literal))
                parts.append(.literal(raw ? text : try StringLiteral.decodeEscapes(text, position: start)))
                literal = []
            }
        }
        while i < body.count {
            let c = body[i]
            if c == "{" {
                if i + 1 < body.count && body[i + 1] == "{" {
                    literal.append("{")
                    i += 2
                    continue
                }
                try flush()
                // Find the end of the expression: the first top-level `!`, `:`, `=` (debug) or `}`.
                var j = i + 1
                var depth = 0
                var quote: Unicode.Scalar?
                var exprEnd = -1
                while j < body.count {
                    let d = body[j]
                    if let q = quote {
                        if d == q { quote = nil }
                    } else if d == "'" || d == "\"" {
                        quote = d
                    } else if d == "(" || d == "[" || d == "{" {
                        depth += 1
                    } else if d == ")" || d == "]" || d == "}" {
                        if depth == 0 { exprEnd = j; break }
                        depth -= 1
                    } else if depth == 0 && (d == "!" && j + 1 < body.count && body[j + 1] != "=") {
                        exprEnd = j
                        break
                    } else if depth == 0 && d == ":" {
                        exprEnd = j
                        break
                    } else if d == "\\" {
                        throw PythonSyntaxError("f-string expression part cannot include a backslash", at: start)
                    } else if d == "#" {
                        throw PythonSyntaxError("f-string expression part cannot include '#'", at: start)
                    }
                    j += 1
                }
                guard exprEnd >= 0 else { throw PythonSyntaxError("f-string: expecting '}'", at: start) }
                var exprScalars = Array(body[(i + 1)..<exprEnd])
                var debugText: String?
                // `{x=}`: trailing `=` (not part of `==`, `!=`, `<=`, `>=`).
                // Whitespace may follow the `=`; it is kept in the echoed text (`{x = }`).
                var equalsIndex = exprScalars.count - 1
                while equalsIndex >= 0 && (exprScalars[equalsIndex] == " " || exprScalars[equalsIndex] == "\t") { equalsIndex -= 1 }
                if equalsIndex >= 0, exprScalars[equalsIndex] == "=" {
                    let prev = equalsIndex >= 1 ? exprScalars[equalsIndex - 1] : " "
                    if !"=!<>".unicodeScalars.contains(prev) {
                        debugText = String(String.UnicodeScalarView(exprScalars))
                        exprScalars.removeSubrange(equalsIndex...)
                    }
                }
                let exprText = String(String.UnicodeScalarView(exprScalars))
                if exprText.trimmingCharacters(in: " \t\n") == "" {
                    throw PythonSyntaxError("f-string: empty expression not allowed", at: start)
                }
                let expr: Expr
                do {
                    expr = try Parser.parseFStringExpression(exprText, at: start)
                } catch let e as PythonSyntaxError {
                    throw PythonSyntaxError("f-string: " + e.message, at: e.position)
                }
                var k = exprEnd
                var conversion: Character?
                if body[k] == "!" {
                    guard k + 1 < body.count else { throw PythonSyntaxError("f-string: expecting '}'", at: start) }
                    let conv = body[k + 1]
                    guard conv == "r" || conv == "s" || conv == "a" else {
                        throw PythonSyntaxError("f-string: invalid conversion character: expected 's', 'r', or 'a'", at: start)
                    }
                    conversion = Character(conv)
                    k += 2
                }
                var spec: [FStringPart]?
                if k < body.count && body[k] == ":" {
                    // The spec runs to the matching `}`; it may contain nested fields.
                    var m = k + 1
                    var d = 0
                    while m < body.count {
                        if body[m] == "{" { d += 1 } else if body[m] == "}" { if d == 0 { break }; d -= 1 }
                        m += 1
                    }
                    guard m < body.count else { throw PythonSyntaxError("f-string: expecting '}'", at: start) }
                    guard nesting < 2 else { throw PythonSyntaxError("f-string: expressions nested too deeply", at: start) }
                    spec = try parseFStringBody(Array(body[(k + 1)..<m]), raw: raw, start: start, nesting: nesting + 1)
                    k = m
                }
                guard k < body.count && body[k] == "}" else { throw PythonSyntaxError("f-string: expecting '}'", at: start) }
                if debugText != nil && conversion == nil && spec == nil { conversion = "r" }
                parts.append(.field(expr, conversion: conversion, spec: spec, debugText: debugText))
                i = k + 1
            } else if c == "}" {
                if i + 1 < body.count && body[i + 1] == "}" {
                    literal.append("}")
                    i += 2
                    continue
                }
                throw PythonSyntaxError("f-string: single '}' is not allowed", at: start)
            } else {
                literal.append(c)
                i += 1
            }
        }
        try flush()
        return parts
    }

    static func parseFStringExpression(_ text: String, at start: SourcePosition) throws -> Expr {
        // CPython parses the field wrapped in parentheses, so newlines are allowed inside.
        var lexer = Lexer("(" + text + ")")
        let tokens = try lexer.run()
        var parser = Parser(tokens: tokens, source: lexer.scalars, lineOffset: start.line - 1, columnOffset: start.column - 1)
        let e = try parser.parseStarExpressions()
        parser.skipNewlines()
        guard parser.current.kind == .end else { throw parser.error("invalid syntax") }
        return e
    }
}

extension String {
    /// This string without the leading and trailing scalars in `set`. Scalar by scalar: trimming
    /// Characters from the end was quadratic on long runs (and never matched "\r\n").
    func trimmingCharacters(in set: String) -> String {
        let chars = Set(set.unicodeScalars)
        let v = unicodeScalars
        var start = v.startIndex, end = v.endIndex
        while start < end, chars.contains(v[start]) { start = v.index(after: start) }
        while end > start, chars.contains(v[v.index(before: end)]) { end = v.index(before: end) }
        return String(v[start..<end])
    }
}

/// A string literal token taken apart: prefix flags, quotes and the raw body.
struct StringLiteral {
    let isRaw: Bool
    let isF: Bool
    let isBytes: Bool
    let prefixLength: Int
    let quoteLength: Int
    let body: [Unicode.Scalar]

    init(_ t: Token) throws {
        let scalars = Array(t.text.unicodeScalars)
        var i = 0
        var raw = false, f = false, b = false
        while i < scalars.count, scalars[i] != "'" && scalars[i] != "\"" {
            switch scalars[i] {
            case "r", "R": raw = true
            case "f", "F": f = true
            case "b", "B": b = true
            default: break
            }
            i += 1
        }
        isRaw = raw
        isF = f
        isBytes = b
        prefixLength = i
        let q = scalars[i]
        let triple = i + 2 < scalars.count && scalars[i + 1] == q && scalars[i + 2] == q && scalars.count - i >= 6
        quoteLength = triple ? 3 : 1
        body = Array(scalars[(i + quoteLength)..<(scalars.count - quoteLength)])
    }

    func decoded(position: SourcePosition) throws -> String {
        let text = String(String.UnicodeScalarView(body))
        return isRaw ? text : try StringLiteral.decodeEscapes(text, position: position)
    }

    static func decodeEscapes(_ text: String, position: SourcePosition) throws -> String {
        guard text.contains("\\") else { return text }
        let s = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        func hex(_ count: Int, _ kind: String) throws -> Unicode.Scalar {
            guard i + count < s.count + 1, i + count <= s.count else {
                throw PythonSyntaxError("(unicode error) 'unicodeescape' codec can't decode bytes: truncated \\\(kind) escape", at: position)
            }
            let digits = String(String.UnicodeScalarView(s[i..<(i + count)]))
            guard let v = UInt32(digits, radix: 16), digits.allSatisfy(\.isHexDigit) else {
                throw PythonSyntaxError("(unicode error) 'unicodeescape' codec can't decode bytes: truncated \\\(kind) escape", at: position)
            }
            i += count
            guard let scalar = Unicode.Scalar(v) else {
                if (0xD800...0xDFFF).contains(v) { return "\u{FFFD}" }
                throw PythonSyntaxError("(unicode error) 'unicodeescape' codec can't decode bytes: illegal Unicode character", at: position)
            }
            return scalar
        }
        while i < s.count {
            let c = s[i]
            guard c == "\\", i + 1 < s.count else {
                out.append(c)
                i += 1
                continue
            }
            let n = s[i + 1]
            i += 2
            switch n {
            case "\n": break
            case "\\": out.append("\\")
            case "'": out.append("'")
            case "\"": out.append("\"")
            case "a": out.append("\u{07}")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "t": out.append("\t")
            case "v": out.append("\u{0B}")
            case "x": out.append(try hex(2, "xXX"))
            case "u": out.append(try hex(4, "uXXXX"))
            case "U": out.append(try hex(8, "UXXXXXXXX"))
            case "0"..."7":
                var v = n.value - 48
                var k = 0
                while k < 2, i < s.count, ("0"..."7").contains(s[i]) {
                    v = v * 8 + s[i].value - 48
                    i += 1
                    k += 1
                }
                out.append(Unicode.Scalar(v) ?? "\u{FFFD}")
            case "N":
                let start = i - 2
                guard i < s.count, s[i] == "{", let close = s[i...].firstIndex(of: "}") else {
                    throw PythonSyntaxError(
                        "(unicode error) 'unicodeescape' codec can't decode bytes in position \(start)-\(i - 1): malformed \\N character escape",
                        at: position)
                }
                let name = String(String.UnicodeScalarView(s[(i + 1)..<close]))
                guard let scalar = UnicodeNames.scalar(named: name) else {
                    throw PythonSyntaxError(
                        "(unicode error) 'unicodeescape' codec can't decode bytes in position \(start)-\(close): unknown Unicode character name",
                        at: position)
                }
                out.append(scalar)
                i = close + 1
            default:
                out.append("\\")
                out.append(n)
            }
        }
        return String(out)
    }
}
