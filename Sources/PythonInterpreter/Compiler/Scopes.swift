/// Python's scoping rules: which names are local, captured, free, global or class-level in
/// each function, class body, lambda and comprehension.
final class Scope {
    enum Kind { case module, function, classBody, comprehension }

    let kind: Kind
    let name: String
    weak var parent: Scope?
    var bound: [String] = []
    var boundSet = Set<String>()
    var declaredGlobal = Set<String>()
    var declaredNonlocal = Set<String>()
    var used = Set<String>()
    var children: [Scope] = []
    var isGenerator = false
    var isAsync = false
    var hasAwait = false
    /// Locals captured by inner scopes.
    var cellVars: [String] = []
    var cellSet = Set<String>()
    /// Names this scope takes from enclosing functions.
    var freeVars: [String] = []
    var freeSet = Set<String>()
    /// Parameter names in order (functions and lambdas).
    var parameters: [String] = []
    var nonlocalPositions: [String: SourcePosition] = [:]

    init(kind: Kind, name: String, parent: Scope?) {
        self.kind = kind
        self.name = name
        self.parent = parent
        parent?.children.append(self)
    }

    func bind(_ n: String) {
        if boundSet.insert(n).inserted { bound.append(n) }
    }

    func addCell(_ n: String) {
        if cellSet.insert(n).inserted { cellVars.append(n) }
    }

    func addFree(_ n: String) {
        if freeSet.insert(n).inserted { freeVars.append(n) }
    }

    var isFunctionLike: Bool { kind == .function || kind == .comprehension }

    /// True when `n` is a local variable of this function-like scope.
    func isLocal(_ n: String) -> Bool {
        isFunctionLike && boundSet.contains(n) && !declaredGlobal.contains(n) && !declaredNonlocal.contains(n)
    }
}

/// Walks the syntax tree once to build the scope tree (bindings and uses per scope).
struct ScopeBuilder {
    var current: Scope
    /// Scopes by the identity of the node that created them, in creation order.
    var scopes: [Scope] = []
    var errors: [PythonSyntaxError] = []

    init(module: Scope) {
        current = module
    }

    mutating func push(_ kind: Scope.Kind, _ name: String) -> Scope {
        let s = Scope(kind: kind, name: name, parent: current)
        scopes.append(s)
        current = s
        return s
    }

    mutating func pop(_ previous: Scope) { current = previous }

    mutating func visit(_ stmts: [Stmt]) throws { for s in stmts { try visit(s) } }

    mutating func bindTarget(_ e: Expr) throws {
        switch e.kind {
        case .name(let n): current.bind(n)
        case .tuple(let items), .list(let items): for i in items { try bindTarget(i) }
        case .starred(let inner): try bindTarget(inner)
        case .attribute(let base, _): try visit(base)
        case .subscript(let base, let key):
            try visit(base)
            try visit(key)
        default: try visit(e)
        }
    }

    mutating func visit(_ s: Stmt) throws {
        switch s.kind {
        case .expression(let e): try visit(e)
        case .assign(let targets, let value):
            try visit(value)
            for t in targets { try bindTarget(t) }
        case .augAssign(let target, _, let value):
            try visit(value)
            if case .name(let n) = target.kind {
                current.used.insert(n)
                current.bind(n)
            } else {
                try bindTarget(target)
            }
        case .annAssign(let target, let annotation, let value, _):
            try visit(annotation)
            if let value { try visit(value) }
            if value != nil || current.kind != .module {
                try bindTarget(target)
            } else if case .name = target.kind {
                // A bare annotation binds nothing at runtime but makes the name local in functions.
                if current.kind == .function, case .name(let n) = target.kind { current.bind(n) }
            } else {
                try bindTarget(target)
            }
        case .if(let test, let body, let orElse):
            try visit(test)
            try visit(body)
            try visit(orElse)
        case .while(let test, let body, let orElse):
            try visit(test)
            try visit(body)
            try visit(orElse)
        case .for(let target, let iterable, let body, let orElse, let isAsync):
            if isAsync { current.hasAwait = true }
            try visit(iterable)
            try bindTarget(target)
            try visit(body)
            try visit(orElse)
        case .with(let items, let body, let isAsync):
            if isAsync { current.hasAwait = true }
            for (e, t) in items {
                try visit(e)
                if let t { try bindTarget(t) }
            }
            try visit(body)
        case .functionDef(let def):
            for d in def.decorators { try visit(d) }
            try visitParameterDefaults(def.parameters)
            if let r = def.returns { try visit(r) }
            current.bind(def.name)
            let previous = current
            let scope = push(.function, def.name)
            scope.isAsync = def.isAsync
            for p in def.parameters.all {
                scope.bind(p.name)
                scope.parameters.append(p.name)
            }
            try visit(def.body)
            pop(previous)
        case .classDef(let def):
            for d in def.decorators { try visit(d) }
            for b in def.bases {
                switch b {
                case .positional(let e), .starred(let e), .keyword(_, let e), .doubleStarred(let e): try visit(e)
                }
            }
            current.bind(def.name)
            let previous = current
            _ = push(.classBody, def.name)
            try visit(def.body)
            pop(previous)
        case .return(let e): if let e { try visit(e) }
        case .pass, .break, .continue: break
        case .raise(let e, let cause):
            if let e { try visit(e) }
            if let cause { try visit(cause) }
        case .try(let body, let handlers, let orElse, let finally):
            try visit(body)
            for h in handlers {
                if let t = h.type { try visit(t) }
                if let n = h.name { current.bind(n) }
                try visit(h.body)
            }
            try visit(orElse)
            try visit(finally)
        case .assert(let test, let msg):
            try visit(test)
            if let msg { try visit(msg) }
        case .delete(let targets): for t in targets { try bindTarget(t) }
        case .global(let names):
            for n in names {
                if current.boundSet.contains(n) && current.kind != .module {
                    if current.used.contains(n) {
                        throw PythonSyntaxError("name '\(n)' is used prior to global declaration", at: s.position)
                    }
                    throw PythonSyntaxError("name '\(n)' is assigned to before global declaration", at: s.position)
                }
                current.declaredGlobal.insert(n)
            }
        case .nonlocal(let names):
            if current.kind == .module { throw PythonSyntaxError("nonlocal declaration not allowed at module level", at: s.position) }
            for n in names {
                if current.parameters.contains(n) {
                    throw PythonSyntaxError("name '\(n)' is parameter and nonlocal", at: s.position)
                }
                current.declaredNonlocal.insert(n)
                current.nonlocalPositions[n] = s.position
            }
        case .import(let names):
            for n in names { current.bind(n.alias ?? String(n.name.split(separator: ".")[0])) }
        case .importFrom(_, let names, _):
            for n in names where n.name != "*" { current.bind(n.alias ?? n.name) }
        }
    }

    mutating func visitParameterDefaults(_ p: Parameters) throws {
        for param in p.all {
            if let d = param.defaultValue { try visit(d) }
            if let a = param.annotation { try visit(a) }
        }
    }

    mutating func visit(_ e: Expr) throws {
        switch e.kind {
        case .name(let n): current.used.insert(n)
        case .constant: break
        case .fString(let parts): try visitParts(parts)
        case .list(let items), .tuple(let items), .set(let items): for i in items { try visit(i) }
        case .dict(let pairs):
            for p in pairs {
                if let k = p.key { try visit(k) }
                try visit(p.value)
            }
        case .starred(let inner): try visit(inner)
        case .attribute(let base, _): try visit(base)
        case .subscript(let base, let key):
            try visit(base)
            try visit(key)
        case .slice(let a, let b, let c):
            if let a { try visit(a) }
            if let b { try visit(b) }
            if let c { try visit(c) }
        case .call(let callee, let args):
            try visit(callee)
            for a in args {
                switch a {
                case .positional(let x), .starred(let x), .keyword(_, let x), .doubleStarred(let x): try visit(x)
                }
            }
        case .unary(_, let x): try visit(x)
        case .binary(_, let a, let b):
            try visit(a)
            try visit(b)
        case .and(let items), .or(let items): for i in items { try visit(i) }
        case .compare(let first, let rest):
            try visit(first)
            for (_, x) in rest { try visit(x) }
        case .conditional(let t, let b, let o):
            try visit(t)
            try visit(b)
            try visit(o)
        case .lambda(let params, let body):
            try visitParameterDefaults(params)
            let previous = current
            let scope = push(.function, "<lambda>")
            for p in params.all {
                scope.bind(p.name)
                scope.parameters.append(p.name)
            }
            try visit(body)
            pop(previous)
        case .listComp(let elt, let comps), .setComp(let elt, let comps), .generator(let elt, let comps):
            try visitComprehension(comps, kind: e.kind) { b in try b.visit(elt) }
        case .dictComp(let k, let v, let comps):
            try visitComprehension(comps, kind: e.kind) { b in
                try b.visit(k)
                try b.visit(v)
            }
        case .await(let x):
            current.hasAwait = true
            try visit(x)
        case .yield(let x):
            markGenerator(e.position)
            if let x { try visit(x) }
        case .yieldFrom(let x):
            markGenerator(e.position)
            try visit(x)
        case .namedExpr(let n, let value):
            try visit(value)
            // Binds in the nearest enclosing non-comprehension scope.
            var s: Scope? = current
            while let c = s, c.kind == .comprehension { s = c.parent }
            if let target = s {
                target.bind(n)
                if target !== current { current.used.insert(n) }
            }
        }
    }

    mutating func markGenerator(_ position: SourcePosition) {
        current.isGenerator = true
    }

    mutating func visitParts(_ parts: [FStringPart]) throws {
        for p in parts {
            if case .field(let e, _, let spec, _) = p {
                try visit(e)
                if let spec { try visitParts(spec) }
            }
        }
    }

    mutating func visitComprehension(_ comps: [Comprehension], kind: ExprKind, body: (inout ScopeBuilder) throws -> Void) throws {
        // The first iterable is evaluated in the enclosing scope.
        try visit(comps[0].iterable)
        let previous = current
        let name: String
        switch kind {
        case .listComp: name = "<listcomp>"
        case .setComp: name = "<setcomp>"
        case .dictComp: name = "<dictcomp>"
        default: name = "<genexpr>"
        }
        let scope = push(.comprehension, name)
        if case .generator = kind { scope.isGenerator = true }
        for (i, c) in comps.enumerated() {
            if i > 0 { try visit(c.iterable) }
            try bindTarget(c.target)
            for cond in c.conditions { try visit(cond) }
            if c.isAsync { scope.hasAwait = true }
        }
        try body(&self)
        pop(previous)
    }
}

/// Resolves every scope's names after the tree is built: marks captured locals as cells and
/// threads free variables through every scope in between (class bodies included, since the
/// functions they define need the cells for their closures).
enum ScopeResolver {
    static func resolve(_ scope: Scope) throws {
        for child in scope.children { try resolve(child) }
        if scope.kind == .module { return }
        for n in scope.declaredNonlocal.sorted() {
            if !capture(n, from: scope) {
                throw PythonSyntaxError("no binding for nonlocal '\(n)' found", at: scope.nonlocalPositions[n] ?? SourcePosition(line: 1, column: 1))
            }
        }
        for n in scope.used.sorted() where !scope.declaredGlobal.contains(n) && !scope.declaredNonlocal.contains(n) {
            if scope.boundSet.contains(n) { continue }
            _ = capture(n, from: scope)
        }
    }

    /// Finds the enclosing function that binds `n` and threads it down to `scope` as a free
    /// variable. False when no enclosing function binds it (it is then global).
    static func capture(_ n: String, from scope: Scope) -> Bool {
        var chain: [Scope] = []
        var s = scope.parent
        while let c = s {
            if c.kind == .module { return false }
            if c.isFunctionLike {
                if c.declaredGlobal.contains(n) { return false }
                if c.declaredNonlocal.contains(n) || (c.boundSet.contains(n) && !c.declaredGlobal.contains(n)) {
                    if c.declaredNonlocal.contains(n) { c.addFree(n) } else { c.addCell(n) }
                    scope.addFree(n)
                    for mid in chain { mid.addFree(n) }
                    return true
                }
            }
            chain.append(c)
            s = c.parent
        }
        return false
    }
}
