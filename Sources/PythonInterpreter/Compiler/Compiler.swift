/// Turns a parsed module into executable nodes: resolves every name to a local slot, a cell,
/// a class-namespace entry or a global, and checks what CPython's compiler checks
/// (`return` outside a function, `break` outside a loop, ...).
struct Compiler {
    struct ScopeKey: Hashable {
        let line: Int
        let column: Int
        let name: String
    }

    /// How a name is reached in the current scope.
    enum Access {
        case local(Int)
        case cell(Int, isFree: Bool)
        case global
        case classLocal(cellIndex: Int?)
    }

    let filename: String
    let interactive: Bool
    var scopesByKey: [ScopeKey: [Scope]]
    var scope: Scope
    var qualname: String
    var slots: [String: Int] = [:]
    var slotNames: [String] = []
    var cellIndex: [String: Int] = [:]
    var loopDepth = 0
    var functionDepth = 0
    var inAsync = false
    var atTopLevel = true
    /// The enclosing class's name, for private name mangling (`self.__x` is `self._C__x`).
    var privateClassName: String?
    /// 1 for statements directly in the module body, more inside blocks.
    var blockDepth = 0

    /// Compiles a module (a script, one interactive entry, or one top-level statement).
    static func compileModule(_ stmts: [Stmt], filename: String, interactive: Bool) throws -> CodeObject {
        let module = Scope(kind: .module, name: "<module>", parent: nil)
        var builder = ScopeBuilder(module: module)
        try builder.visit(stmts)
        try ScopeResolver.resolve(module)
        var compiler = Compiler(
            filename: filename, interactive: interactive, scopesByKey: Compiler.keyScopes(stmts, builder.scopes),
            scope: module, qualname: "")
        let body = try compiler.compileBlock(stmts)
        let code = CodeObject(
            name: "<module>", qualname: "<module>", filename: filename, firstLine: stmts.first?.position.line ?? 1,
            parameters: ParameterSpec(), localNames: [], cellNames: [], cellSeeds: [], freeNames: [],
            isGenerator: false, isAsync: false, docstring: nil, signatureText: "()")
        code.body = body
        return code
    }

    /// Pairs each scope-creating construct with its scope. The scope builder created scopes in
    /// source order; walking the tree in the same order gives each construct's position key.
    static func keyScopes(_ stmts: [Stmt], _ scopes: [Scope]) -> [ScopeKey: [Scope]] {
        var keys: [ScopeKey] = []
        var collector = ScopeKeyCollector { keys.append($0) }
        collector.visit(stmts)
        var out: [ScopeKey: [Scope]] = [:]
        for (k, s) in zip(keys, scopes) { out[k, default: []].append(s) }
        return out
    }

    mutating func takeScope(_ key: ScopeKey) -> Scope {
        if var list = scopesByKey[key], !list.isEmpty {
            let s = list.removeFirst()
            scopesByKey[key] = list
            return s
        }
        // Unreachable when the collector and builder agree; a fresh scope keeps compilation safe.
        return Scope(kind: .function, name: key.name, parent: scope)
    }

    // MARK: Names

    /// CPython's private name mangling: inside class `_C`, `__x` (not `__x__`) becomes `_C__x`.
    func mangle(_ name: String) -> String {
        guard let cls = privateClassName, name.hasPrefix("__"), !name.hasSuffix("__"), !name.contains(".") else { return name }
        let stripped = cls.drop { $0 == "_" }
        if stripped.isEmpty { return name }
        return "_" + stripped + name
    }

    func access(_ n: String) -> Access {
        switch scope.kind {
        case .module: return .global
        case .classBody:
            if scope.declaredGlobal.contains(n) { return .global }
            if scope.freeSet.contains(n) && !scope.boundSet.contains(n) { return .classLocal(cellIndex: cellIndex[n]) }
            return .classLocal(cellIndex: nil)
        case .function, .comprehension:
            if scope.declaredGlobal.contains(n) { return .global }
            if let i = cellIndex[n] { return .cell(i, isFree: scope.freeSet.contains(n) && !scope.cellSet.contains(n)) }
            if let s = slots[n] { return .local(s) }
            return .global
        }
    }

    func load(_ n: String, _ p: SourcePosition) -> ExprNode {
        switch access(n) {
        case .local(let s): return LocalLoad(s, n, p)
        case .cell(let i, let free): return CellLoad(i, n, isFree: free, p)
        case .global: return GlobalLoad(n, p)
        case .classLocal(let c): return ClassNameLoad(mangle(n), cellIndex: c, p)
        }
    }

    func store(_ n: String, _ p: SourcePosition) -> TargetNode {
        switch access(n) {
        case .local(let s): return LocalTarget(s, n, p)
        case .cell(let i, _): return CellTarget(i, n, p)
        case .global: return GlobalTarget(n, p)
        case .classLocal: return ClassNameTarget(mangle(n), p)
        }
    }

    // MARK: Statements

    mutating func compileBlock(_ stmts: [Stmt]) throws -> [StmtNode] {
        blockDepth += 1
        defer { blockDepth -= 1 }
        return try stmts.map { try compile($0) }
    }

    /// A statement directly in an interactive module body (not in a block or function).
    var isInteractiveTopLevel: Bool { interactive && atTopLevel && scope.kind == .module && functionDepth == 0 && blockDepth == 1 }

    mutating func compile(_ s: Stmt) throws -> StmtNode {
        let p = s.position
        let end = s.endLine
        switch s.kind {
        case .expression(let e):
            let display = interactive && atTopLevel && functionDepth == 0 && scope.kind == .module
            return ExprStmtNode(try expr(e), display: display, topLevel: isInteractiveTopLevel, p, endLine: end)
        case .assign(let targets, let value):
            let v = try expr(value)
            if targets.count == 1, case .name(let n) = targets[0].kind, case .local(let slot) = access(n) {
                return AssignLocalNode(slot, v, p, endLine: end)
            }
            let topLevel =
                isInteractiveTopLevel && targets.count == 1
                && {
                    if case .name = targets[0].kind { return true }; return false
                }()
            return AssignNode(try targets.map { try target($0) }, v, topLevel: topLevel, p, endLine: end)
        case .augAssign(let t, let op, let value):
            let v = try expr(value)
            return AugAssignNode(try target(t), op, v, p, endLine: end)
        case .annAssign(let t, let annotation, let value, let simple):
            let ann = try expr(annotation)
            let v = try value.map { try expr($0) }
            var name: String?
            if simple, case .name(let n) = t.kind { name = n }
            let record = simple && (scope.kind == .module || scope.kind == .classBody)
            let tgt = v != nil ? try target(t) : nil
            return AnnAssignNode(target: tgt, name: name, annotation: ann, value: v, recordAnnotation: record, p, endLine: end)
        case .if(let test, let body, let orElse):
            return IfNode(try expr(test), try compileBlock(body), try compileBlock(orElse), p, endLine: end)
        case .while(let test, let body, let orElse):
            let t = try expr(test)
            loopDepth += 1
            let b = try compileBlock(body)
            loopDepth -= 1
            return WhileNode(t, b, try compileBlock(orElse), p, endLine: end)
        case .for(let tgt, let iterable, let body, let orElse, let isAsync):
            if isAsync && functionDepth > 0 && !inAsync {
                throw PythonSyntaxError("'async for' outside async function", at: p)
            }
            let it = try expr(iterable)
            let t = try target(tgt)
            loopDepth += 1
            let b = try compileBlock(body)
            loopDepth -= 1
            return ForNode(t, it, b, try compileBlock(orElse), isAsync: isAsync, p, endLine: end)
        case .with(let items, let body, let isAsync):
            if isAsync && functionDepth > 0 && !inAsync {
                throw PythonSyntaxError("'async with' outside async function", at: p)
            }
            var compiled: [WithItemNode] = []
            for (e, t) in items { compiled.append(WithItemNode(manager: try expr(e), target: try t.map { try target($0) })) }
            return WithNode(compiled, try compileBlock(body), isAsync: isAsync, p, endLine: end)
        case .functionDef(let def):
            let decorators = try def.decorators.map { try expr($0) }
            let make = try makeFunction(
                name: def.name, params: def.parameters, body: def.body, isAsync: def.isAsync,
                key: ScopeKey(line: p.line, column: p.column, name: def.name), returns: def.returns, p)
            return DefNode(make, decorators: decorators, target: store(def.name, p), p, endLine: end)
        case .classDef(let def):
            return try compileClass(def, p, end)
        case .return(let e):
            guard functionDepth > 0 && scope.kind != .classBody else { throw PythonSyntaxError("'return' outside function", at: p) }
            return ReturnNode(try e.map { try expr($0) }, p, endLine: end)
        case .pass: return PassNode(p, endLine: end)
        case .break:
            guard loopDepth > 0 else { throw PythonSyntaxError("'break' outside loop", at: p) }
            return BreakNode(p, endLine: end)
        case .continue:
            guard loopDepth > 0 else { throw PythonSyntaxError("'continue' not properly in loop", at: p) }
            return ContinueNode(p, endLine: end)
        case .raise(let e, let cause):
            return RaiseNode(try e.map { try expr($0) }, try cause.map { try expr($0) }, p, endLine: end)
        case .try(let body, let handlers, let orElse, let finally):
            let b = try compileBlock(body)
            var hs: [HandlerNode] = []
            for (i, h) in handlers.enumerated() {
                if h.type == nil && i != handlers.count - 1 {
                    throw PythonSyntaxError("default 'except:' must be last", at: h.position)
                }
                hs.append(
                    HandlerNode(
                        type: try h.type.map { try expr($0) }, target: h.name.map { store($0, h.position) },
                        body: try compileBlock(h.body)))
            }
            return TryNode(b, hs, try compileBlock(orElse), try compileBlock(finally), p, endLine: end)
        case .assert(let test, let msg):
            return AssertNode(try expr(test), try msg.map { try expr($0) }, p, endLine: end)
        case .delete(let targets):
            return DeleteNode(try targets.map { try target($0) }, p, endLine: end)
        case .global, .nonlocal:
            return PassNode(p, endLine: end)
        case .import(let names):
            return ImportNode(
                names.map { n in
                    let bindsTop = n.alias == nil && n.name.contains(".")
                    let bound = n.alias ?? String(n.name.split(separator: ".")[0])
                    return (n.name, store(bound, p), bindsTop)
                }, p, endLine: end)
        case .importFrom(let module, let names, let level):
            if level > 0 { throw PythonSyntaxError("relative imports are not supported in this shell", at: p) }
            return ImportFromNode(module, names.map { n in (n.name, n.name == "*" ? nil : store(n.alias ?? n.name, p)) }, p, endLine: end)
        }
    }

    mutating func compileClass(_ def: ClassDef, _ p: SourcePosition, _ end: Int) throws -> StmtNode {
        let decorators = try def.decorators.map { try expr($0) }
        let bases = try def.bases.map { try argument($0) }
        let classScope = takeScope(ScopeKey(line: p.line, column: p.column, name: def.name))
        let qual = qualname.isEmpty ? def.name : "\(qualname).\(def.name)"
        var inner = Compiler(filename: filename, interactive: false, scopesByKey: scopesByKey, scope: classScope, qualname: qual)
        inner.functionDepth = functionDepth
        inner.atTopLevel = false
        inner.cellIndex = Compiler.cellLayout(classScope)
        inner.privateClassName = def.name
        let body = try inner.compileBlock(def.body)
        scopesByKey = inner.scopesByKey
        let code = CodeObject(
            name: def.name, qualname: qual, filename: filename, firstLine: p.line, parameters: ParameterSpec(),
            localNames: [], cellNames: classScope.cellVars, cellSeeds: classScope.cellVars.map { _ in nil },
            freeNames: classScope.freeVars, isGenerator: false, isAsync: false,
            docstring: Compiler.docstring(def.body), signatureText: "")
        code.body = body
        let closure = try classScope.freeVars.map { try outerCell($0, p) }
        return ClassNode(
            name: def.name, qualname: qual, bases: bases, bodyCode: code, closureCells: closure,
            decorators: decorators, target: store(def.name, p), p, endLine: end)
    }

    /// Where a free variable of a nested scope lives in the current frame's cells.
    func outerCell(_ n: String, _ p: SourcePosition) throws -> Int {
        guard let i = cellIndex[n] else {
            throw PythonSyntaxError("internal error: no cell for '\(n)'", at: p)
        }
        return i
    }

    static func cellLayout(_ s: Scope) -> [String: Int] {
        var out: [String: Int] = [:]
        for (i, n) in s.cellVars.enumerated() { out[n] = i }
        for (i, n) in s.freeVars.enumerated() where out[n] == nil { out[n] = s.cellVars.count + i }
        return out
    }

    static func docstring(_ body: [Stmt]) -> String? {
        if case .expression(let e)? = body.first?.kind, case .constant(.string(let s)) = e.kind { return s }
        return nil
    }

    /// Compiles a `def` or lambda body into a code object and the node that builds the function.
    mutating func makeFunction(
        name: String, params: Parameters, body: [Stmt], isAsync: Bool, key: ScopeKey,
        returns: Expr? = nil, _ p: SourcePosition, lambdaBody: Expr? = nil
    ) throws -> MakeFunctionNode {
        // Defaults and annotations are evaluated in the defining scope, before the body's scope.
        var defaults: [ExprNode] = []
        var kwDefaults: [(String, ExprNode)] = []
        var annotations: [(String, ExprNode)] = []
        for param in params.all {
            if let d = param.defaultValue {
                let node = try expr(d)
                if params.keywordOnly.contains(where: { $0.name == param.name }) {
                    kwDefaults.append((param.name, node))
                } else {
                    defaults.append(node)
                }
            }
            if let a = param.annotation { annotations.append((param.name, try expr(a))) }
        }
        if let r = returns { annotations.append(("return", try expr(r))) }
        let fnScope = takeScope(key)
        let qual = qualname.isEmpty ? name : "\(qualname).\(name)"
        var inner = Compiler(
            filename: filename, interactive: false, scopesByKey: scopesByKey, scope: fnScope,
            qualname: qual + ".<locals>")
        inner.functionDepth = functionDepth + 1
        inner.privateClassName = privateClassName
        inner.inAsync = isAsync
        inner.atTopLevel = false
        // Slots: positional, keyword-only, *args, **kwargs, then other locals.
        var spec = ParameterSpec()
        var names: [String] = []
        for param in params.positionalOnly + params.positional { names.append(param.name) }
        spec.positionalOnlyCount = params.positionalOnly.count
        spec.positionalCount = names.count
        for param in params.keywordOnly { names.append(param.name) }
        spec.keywordOnlyCount = params.keywordOnly.count
        if let v = params.varArgs {
            spec.varArgsSlot = names.count
            names.append(v.name)
        }
        if let k = params.varKeywords {
            spec.varKeywordsSlot = names.count
            names.append(k.name)
        }
        spec.names = names
        for (i, n) in names.enumerated() where i < spec.namedCount { spec.slotByName[n] = i }
        var slots: [String: Int] = [:]
        for (i, n) in names.enumerated() { slots[n] = i }
        var all = names
        for n in fnScope.bound where slots[n] == nil && !fnScope.declaredGlobal.contains(n) && !fnScope.declaredNonlocal.contains(n) {
            slots[n] = all.count
            all.append(n)
        }
        inner.slots = slots
        inner.slotNames = all
        inner.cellIndex = Compiler.cellLayout(fnScope)
        let compiledBody: [StmtNode]
        if let lambdaBody {
            let e = try inner.expr(lambdaBody)
            compiledBody = [ReturnNode(e, lambdaBody.position, endLine: lambdaBody.position.line)]
        } else {
            compiledBody = try inner.compileBlock(body)
        }
        scopesByKey = inner.scopesByKey
        let seeds = fnScope.cellVars.map { slots[$0].flatMap { $0 < names.count ? $0 : nil } }
        let code = CodeObject(
            name: name, qualname: qual, filename: filename, firstLine: p.line, parameters: spec,
            localNames: all, cellNames: fnScope.cellVars, cellSeeds: seeds, freeNames: fnScope.freeVars,
            isGenerator: fnScope.isGenerator, isAsync: isAsync,
            docstring: lambdaBody == nil ? Compiler.docstring(body) : nil,
            signatureText: Compiler.signatureText(params) + (returns.map { " -> " + ExprSource.render($0) } ?? ""))
        code.body = compiledBody
        let closure = try fnScope.freeVars.map { try outerCell($0, p) }
        return MakeFunctionNode(
            code: code, defaults: defaults, keywordDefaults: kwDefaults, annotations: annotations,
            closureCells: closure, p)
    }

    static func signatureText(_ params: Parameters) -> String {
        var parts: [String] = []
        func one(_ p: Parameters.Parameter) -> String {
            var s = p.name
            if let a = p.annotation { s += ": " + ExprSource.render(a) }
            if let d = p.defaultValue { s += (p.annotation == nil ? "=" : " = ") + ExprSource.render(d) }
            return s
        }
        for p in params.positionalOnly { parts.append(one(p)) }
        if !params.positionalOnly.isEmpty { parts.append("/") }
        for p in params.positional { parts.append(one(p)) }
        if let v = params.varArgs { parts.append("*" + one(v)) } else if !params.keywordOnly.isEmpty { parts.append("*") }
        for p in params.keywordOnly { parts.append(one(p)) }
        if let k = params.varKeywords { parts.append("**" + one(k)) }
        return "(" + parts.joined(separator: ", ") + ")"
    }

    // MARK: Targets

    mutating func target(_ e: Expr) throws -> TargetNode {
        let p = e.position
        switch e.kind {
        case .name(let n): return store(n, p)
        case .attribute(let base, let name): return AttributeTarget(try expr(base), mangle(name), p)
        case .subscript(let base, let key): return SubscriptTarget(try expr(base), try expr(key), p)
        case .tuple(let items), .list(let items):
            var targets: [TargetNode] = []
            var star: Int?
            for (i, item) in items.enumerated() {
                if case .starred(let inner) = item.kind {
                    star = i
                    targets.append(try target(inner))
                } else {
                    targets.append(try target(item))
                }
            }
            return UnpackTarget(targets, starIndex: star, p)
        case .starred(let inner): return try target(inner)
        default:
            throw PythonSyntaxError("cannot assign to \(Parser.describeForError(e))", at: p)
        }
    }

    // MARK: Expressions

    mutating func argument(_ a: Argument) throws -> ArgNode {
        switch a {
        case .positional(let e): return .positional(try expr(e))
        case .starred(let e): return .starred(try expr(e))
        case .keyword(let k, let e): return .keyword(k, try expr(e))
        case .doubleStarred(let e): return .doubleStarred(try expr(e))
        }
    }

    mutating func elements(_ items: [Expr]) throws -> [ElementNode] {
        try items.map { item in
            if case .starred(let inner) = item.kind { return .starred(try expr(inner)) }
            return .single(try expr(item))
        }
    }

    mutating func expr(_ e: Expr) throws -> ExprNode {
        let p = e.position
        switch e.kind {
        case .name(let n): return load(n, p)
        case .constant(let c): return ConstNode(Compiler.constant(c), p)
        case .fString(let parts): return FStringNode(try fparts(parts), p)
        case .list(let items): return ListNode(try elements(items), p)
        case .tuple(let items):
            if items.allSatisfy({
                if case .constant = $0.kind { return true }; return false
            }) {
                return ConstNode(
                    .object(
                        PyTuple(
                            items.map {
                                if case .constant(let c) = $0.kind { return Compiler.constant(c) }; return .none
                            })), p)
            }
            return TupleNode(try elements(items), p)
        case .set(let items): return SetNode(try elements(items), p)
        case .dict(let pairs):
            var out: [(ExprNode?, ExprNode)] = []
            for pair in pairs { out.append((try pair.key.map { try expr($0) }, try expr(pair.value))) }
            return DictNode(out, p)
        case .starred:
            throw PythonSyntaxError("can't use starred expression here", at: p)
        case .attribute(let base, let name): return AttributeNode(try expr(base), mangle(name), p)
        case .subscript(let base, let key): return SubscriptNode(try expr(base), try expr(key), p)
        case .slice(let a, let b, let c):
            return SliceNode(try a.map { try expr($0) }, try b.map { try expr($0) }, try c.map { try expr($0) }, p)
        case .call(let callee, let args):
            if case .name("super") = callee.kind, args.isEmpty, functionDepth > 0, case .global = access("super") {
                return ZeroArgSuperNode(p)
            }
            if case .attribute(let base, let name) = callee.kind {
                let b = try expr(base)
                return MethodCallNode(b, mangle(name), try args.map { try argument($0) }, p)
            }
            let c = try expr(callee)
            return CallNode(c, try args.map { try argument($0) }, p)
        case .unary(let op, let x): return UnaryNode(op, try expr(x), p)
        case .binary(let op, let a, let b):
            let l = try expr(a)
            return BinaryNode(op, l, try expr(b), p)
        case .and(let items): return AndNode(try items.map { try expr($0) }, p)
        case .or(let items): return OrNode(try items.map { try expr($0) }, p)
        case .compare(let first, let rest):
            let f = try expr(first)
            var ops: [(CompareOperator, ExprNode)] = []
            for (op, x) in rest { ops.append((op, try expr(x))) }
            return CompareNode(f, ops, p)
        case .conditional(let test, let body, let orElse):
            let t = try expr(test)
            let b = try expr(body)
            return ConditionalNode(t, b, try expr(orElse), p)
        case .lambda(let params, let body):
            return try makeFunction(
                name: "<lambda>", params: params, body: [], isAsync: false,
                key: ScopeKey(line: p.line, column: p.column, name: "<lambda>"), p, lambdaBody: body)
        case .listComp(let elt, let comps): return try comprehension(.list, elt, nil, comps, p)
        case .setComp(let elt, let comps): return try comprehension(.set, elt, nil, comps, p)
        case .generator(let elt, let comps): return try comprehension(.generator, elt, nil, comps, p)
        case .dictComp(let k, let v, let comps): return try comprehension(.dict, k, v, comps, p)
        case .await(let x):
            if functionDepth > 0 && !inAsync && scope.kind != .comprehension {
                throw PythonSyntaxError("'await' outside async function", at: p)
            }
            return AwaitNode(try expr(x), p)
        case .yield(let x):
            guard functionDepth > 0 else { throw PythonSyntaxError("'yield' outside function", at: p) }
            return YieldNode(try x.map { try expr($0) }, p)
        case .yieldFrom(let x):
            guard functionDepth > 0 else { throw PythonSyntaxError("'yield' outside function", at: p) }
            if inAsync { throw PythonSyntaxError("'yield from' inside async function", at: p) }
            return YieldFromNode(try expr(x), p)
        case .namedExpr(let n, let value):
            let v = try expr(value)
            // In a comprehension the name belongs to the enclosing function (or module).
            return NamedExprNode(store(n, p), v, p)
        }
    }

    static func constant(_ c: Constant) -> PyValue {
        switch c {
        case .none: return .none
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .bigInt(let b): return .int(b)
        case .float(let d): return .float(d)
        case .string(let s): return .str(s)
        case .ellipsis: return Builtins.ellipsis
        }
    }

    mutating func fparts(_ parts: [FStringPart]) throws -> [FStringNodePart] {
        try parts.map { part in
            switch part {
            case .literal(let s): return .literal(s)
            case .field(let e, let conversion, let spec, let debugText):
                let node = try expr(e)
                return .field(node, conversion: conversion, spec: try spec.map { try fparts($0) }, debugText: debugText)
            }
        }
    }

    /// Comprehensions run in their own scope: a frame with the loop variables as locals.
    mutating func comprehension(
        _ kind: ComprehensionNode.Kind, _ elt: Expr, _ value: Expr?, _ comps: [Comprehension],
        _ p: SourcePosition
    ) throws -> ExprNode {
        let outer = try expr(comps[0].iterable)
        let name: String
        switch kind {
        case .list: name = "<listcomp>"
        case .set: name = "<setcomp>"
        case .dict: name = "<dictcomp>"
        case .generator: name = "<genexpr>"
        }
        let compScope = takeScope(ScopeKey(line: p.line, column: p.column, name: name))
        var inner = Compiler(
            filename: filename, interactive: false, scopesByKey: scopesByKey, scope: compScope,
            qualname: qualname.isEmpty ? name : "\(qualname).\(name)")
        inner.functionDepth = functionDepth + 1
        inner.inAsync = inAsync
        inner.atTopLevel = false
        var slots: [String: Int] = [:]
        var names: [String] = []
        for n in compScope.bound where !compScope.declaredGlobal.contains(n) {
            slots[n] = names.count
            names.append(n)
        }
        inner.slots = slots
        inner.slotNames = names
        inner.cellIndex = Compiler.cellLayout(compScope)
        var clauses: [ComprehensionNode.Clause] = []
        for (i, c) in comps.enumerated() {
            let iterable = i == 0 ? nil : try inner.expr(c.iterable)
            let t = try inner.target(c.target)
            let conds = try c.conditions.map { try inner.expr($0) }
            clauses.append(ComprehensionNode.Clause(iterable: iterable, target: t, conditions: conds, isAsync: c.isAsync))
        }
        let element = try inner.expr(elt)
        let valueNode = try value.map { try inner.expr($0) }
        scopesByKey = inner.scopesByKey
        let code = CodeObject(
            name: name, qualname: name, filename: filename, firstLine: p.line, parameters: ParameterSpec(),
            localNames: names, cellNames: compScope.cellVars, cellSeeds: compScope.cellVars.map { slots[$0] },
            freeNames: compScope.freeVars, isGenerator: kind == .generator, isAsync: false, docstring: nil,
            signatureText: "")
        let closure = try compScope.freeVars.map { try outerCell($0, p) }
        return ComprehensionNode(
            kind: kind, outer: outer, clauses: clauses, element: element, value: valueNode, code: code,
            closureCells: closure, p)
    }
}

/// Finds the position keys of scope-creating constructs in the order the scope builder visits them.
struct ScopeKeyCollector {
    let emit: (Compiler.ScopeKey) -> Void

    mutating func visit(_ stmts: [Stmt]) { for s in stmts { visit(s) } }

    mutating func visit(_ s: Stmt) {
        let p = s.position
        switch s.kind {
        case .expression(let e): visit(e)
        case .assign(let targets, let value):
            visit(value)
            for t in targets { visitTarget(t) }
        case .augAssign(let t, _, let v):
            visit(v)
            visitTarget(t)
        case .annAssign(let t, let a, let v, _):
            visit(a)
            if let v { visit(v) }
            visitTarget(t)
        case .if(let t, let b, let o), .while(let t, let b, let o):
            visit(t)
            visit(b)
            visit(o)
        case .for(let t, let i, let b, let o, _):
            visit(i)
            visitTarget(t)
            visit(b)
            visit(o)
        case .with(let items, let body, _):
            for (e, t) in items {
                visit(e)
                if let t { visitTarget(t) }
            }
            visit(body)
        case .functionDef(let def):
            for d in def.decorators { visit(d) }
            for param in def.parameters.all {
                if let d = param.defaultValue { visit(d) }
                if let a = param.annotation { visit(a) }
            }
            if let r = def.returns { visit(r) }
            emit(Compiler.ScopeKey(line: p.line, column: p.column, name: def.name))
            visit(def.body)
        case .classDef(let def):
            for d in def.decorators { visit(d) }
            for b in def.bases { visitArgument(b) }
            emit(Compiler.ScopeKey(line: p.line, column: p.column, name: def.name))
            visit(def.body)
        case .return(let e): if let e { visit(e) }
        case .raise(let e, let c):
            if let e { visit(e) }
            if let c { visit(c) }
        case .try(let body, let handlers, let orElse, let finally):
            visit(body)
            for h in handlers {
                if let t = h.type { visit(t) }
                visit(h.body)
            }
            visit(orElse)
            visit(finally)
        case .assert(let t, let m):
            visit(t)
            if let m { visit(m) }
        case .delete(let targets): for t in targets { visitTarget(t) }
        case .pass, .break, .continue, .global, .nonlocal, .import, .importFrom: break
        }
    }

    mutating func visitTarget(_ e: Expr) {
        switch e.kind {
        case .name: break
        case .tuple(let items), .list(let items): for i in items { visitTarget(i) }
        case .starred(let inner): visitTarget(inner)
        case .attribute(let base, _): visit(base)
        case .subscript(let base, let key):
            visit(base)
            visit(key)
        default: visit(e)
        }
    }

    mutating func visitArgument(_ a: Argument) {
        switch a {
        case .positional(let e), .starred(let e), .keyword(_, let e), .doubleStarred(let e): visit(e)
        }
    }

    mutating func visitParts(_ parts: [FStringPart]) {
        for part in parts {
            if case .field(let e, _, let spec, _) = part {
                visit(e)
                if let spec { visitParts(spec) }
            }
        }
    }

    mutating func visitComprehension(_ name: String, _ p: SourcePosition, _ comps: [Comprehension], _ body: (inout ScopeKeyCollector) -> Void) {
        visit(comps[0].iterable)
        emit(Compiler.ScopeKey(line: p.line, column: p.column, name: name))
        for (i, c) in comps.enumerated() {
            if i > 0 { visit(c.iterable) }
            visitTarget(c.target)
            for cond in c.conditions { visit(cond) }
        }
        body(&self)
    }

    mutating func visit(_ e: Expr) {
        let p = e.position
        switch e.kind {
        case .name, .constant: break
        case .fString(let parts): visitParts(parts)
        case .list(let items), .tuple(let items), .set(let items): for i in items { visit(i) }
        case .dict(let pairs):
            for pair in pairs {
                if let k = pair.key { visit(k) }
                visit(pair.value)
            }
        case .starred(let x), .unary(_, let x), .await(let x), .yieldFrom(let x), .namedExpr(_, let x): visit(x)
        case .attribute(let b, _): visit(b)
        case .subscript(let b, let k):
            visit(b)
            visit(k)
        case .slice(let a, let b, let c):
            if let a { visit(a) }
            if let b { visit(b) }
            if let c { visit(c) }
        case .call(let callee, let args):
            visit(callee)
            for a in args { visitArgument(a) }
        case .binary(_, let a, let b):
            visit(a)
            visit(b)
        case .and(let items), .or(let items): for i in items { visit(i) }
        case .compare(let first, let rest):
            visit(first)
            for (_, x) in rest { visit(x) }
        case .conditional(let t, let b, let o):
            visit(t)
            visit(b)
            visit(o)
        case .lambda(let params, let body):
            for param in params.all {
                if let d = param.defaultValue { visit(d) }
                if let a = param.annotation { visit(a) }
            }
            emit(Compiler.ScopeKey(line: p.line, column: p.column, name: "<lambda>"))
            visit(body)
        case .listComp(let elt, let comps): visitComprehension("<listcomp>", p, comps) { $0.visit(elt) }
        case .setComp(let elt, let comps): visitComprehension("<setcomp>", p, comps) { $0.visit(elt) }
        case .generator(let elt, let comps): visitComprehension("<genexpr>", p, comps) { $0.visit(elt) }
        case .dictComp(let k, let v, let comps):
            visitComprehension("<dictcomp>", p, comps) {
                $0.visit(k)
                $0.visit(v)
            }
        case .yield(let x): if let x { visit(x) }
        }
    }
}

/// Renders expressions back to source text (signatures in `help`).
enum ExprSource {
    static func render(_ e: Expr) -> String {
        switch e.kind {
        case .name(let n): return n
        case .constant(let c): return Repr.plain(Compiler.constant(c))
        case .attribute(let b, let n): return render(b) + "." + n
        case .subscript(let b, let k): return render(b) + "[" + render(k) + "]"
        case .tuple(let items): return items.map(render).joined(separator: ", ")
        case .list(let items): return "[" + items.map(render).joined(separator: ", ") + "]"
        case .dict(let pairs): return "{" + pairs.map { ($0.key.map(render) ?? "**") + ": " + render($0.value) }.joined(separator: ", ") + "}"
        case .call(let c, let args):
            return render(c) + "("
                + args.map { a -> String in
                    switch a {
                    case .positional(let x): return render(x)
                    case .starred(let x): return "*" + render(x)
                    case .keyword(let k, let x): return k + "=" + render(x)
                    case .doubleStarred(let x): return "**" + render(x)
                    }
                }.joined(separator: ", ") + ")"
        case .binary(let op, let a, let b): return render(a) + " \(op.rawValue) " + render(b)
        case .unary(let op, let x): return (op == .not ? "not " : op.rawValue) + render(x)
        default: return "..."
        }
    }
}
