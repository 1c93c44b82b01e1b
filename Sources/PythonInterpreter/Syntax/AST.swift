import BigInt

/// A Python expression with the position of its first character.
public struct Expr: Sendable {
    public var kind: ExprKind
    public var position: SourcePosition
    /// The height of the tree (1 for a name or a constant). The compiler recurses this deep,
    /// so the parser bounds it (``Parser/maxExpressionHeight``).
    public let height: Int

    public init(_ kind: ExprKind, _ position: SourcePosition) {
        self.kind = kind
        self.position = position
        height = 1 + kind.childrenHeight
    }
}

extension ExprKind {
    /// The greatest height among the direct sub-expressions (0 for a leaf).
    var childrenHeight: Int {
        func most(_ es: [Expr]) -> Int { es.reduce(0) { max($0, $1.height) } }
        func most(_ e: Expr?...) -> Int { e.reduce(0) { max($0, $1?.height ?? 0) } }
        func most(_ parts: [FStringPart]) -> Int {
            parts.reduce(0) { h, part in
                guard case .field(let e, _, let spec, _) = part else { return h }
                return max(h, e.height, spec.map { most($0) } ?? 0)
            }
        }
        func most(_ comprehensions: [Comprehension]) -> Int {
            comprehensions.reduce(0) { max($0, $1.target.height, $1.iterable.height, most($1.conditions)) }
        }
        func most(_ p: Parameters) -> Int {
            p.all.reduce(0) { max($0, $1.annotation?.height ?? 0, $1.defaultValue?.height ?? 0) }
        }
        switch self {
        case .name, .constant: return 0
        case .fString(let parts): return most(parts)
        case .list(let es), .tuple(let es), .set(let es), .and(let es), .or(let es): return most(es)
        case .dict(let pairs): return pairs.reduce(0) { max($0, $1.key?.height ?? 0, $1.value.height) }
        case .starred(let e), .attribute(let e, _), .unary(_, let e), .await(let e), .yieldFrom(let e), .namedExpr(_, let e):
            return e.height
        case .subscript(let a, let b), .binary(_, let a, let b): return max(a.height, b.height)
        case .slice(let a, let b, let c): return most(a, b, c)
        case .call(let f, let args):
            return args.reduce(f.height) { h, a in
                switch a {
                case .positional(let e), .starred(let e), .keyword(_, let e), .doubleStarred(let e): return max(h, e.height)
                }
            }
        case .compare(let first, let rest): return rest.reduce(first.height) { max($0, $1.1.height) }
        case .conditional(let test, let body, let orElse): return most(test, body, orElse)
        case .lambda(let p, let body): return max(most(p), body.height)
        case .listComp(let e, let cs), .setComp(let e, let cs), .generator(let e, let cs): return max(e.height, most(cs))
        case .dictComp(let k, let v, let cs): return max(k.height, v.height, most(cs))
        case .yield(let e): return e?.height ?? 0
        }
    }
}

public enum Constant: Sendable {
    case none
    case bool(Bool)
    case int(Int)
    case bigInt(BigInt)
    case float(Double)
    case string(String)
    case ellipsis
}

public enum UnaryOperator: String, Sendable {
    case plus = "+", minus = "-", invert = "~", not = "not"
}

public enum BinaryOperator: String, Sendable, CaseIterable {
    case add = "+", sub = "-", mul = "*", matMul = "@", div = "/", floorDiv = "//", mod = "%", pow = "**"
    case lshift = "<<", rshift = ">>", bitOr = "|", bitXor = "^", bitAnd = "&"
}

public enum CompareOperator: String, Sendable {
    case eq = "==", notEq = "!=", lt = "<", ltE = "<=", gt = ">", gtE = ">=", `is` = "is", isNot = "is not"
    case `in` = "in", notIn = "not in"
}

/// One argument at a call site.
public enum Argument: Sendable {
    case positional(Expr)
    case starred(Expr)
    case keyword(String, Expr)
    case doubleStarred(Expr)
}

/// One piece of an f-string.
public enum FStringPart: Sendable {
    case literal(String)
    /// `{expr!conversion:spec}`; `debugText` is the source text before `=` for `{x=}`.
    case field(Expr, conversion: Character?, spec: [FStringPart]?, debugText: String?)
}

/// `for target in iter if cond ...` inside a comprehension.
public struct Comprehension: Sendable {
    public var target: Expr
    public var iterable: Expr
    public var conditions: [Expr]
    public var isAsync: Bool
}

/// A parameter list (`def f(a, b=1, *args, c, d=2, **kw)`).
public struct Parameters: Sendable {
    public struct Parameter: Sendable {
        public var name: String
        public var annotation: Expr?
        public var defaultValue: Expr?
        public var position: SourcePosition
    }

    public var positionalOnly: [Parameter] = []
    public var positional: [Parameter] = []
    public var varArgs: Parameter?
    public var keywordOnly: [Parameter] = []
    public var varKeywords: Parameter?

    public var all: [Parameter] {
        positionalOnly + positional + (varArgs.map { [$0] } ?? []) + keywordOnly + (varKeywords.map { [$0] } ?? [])
    }
}

public indirect enum ExprKind: Sendable {
    case name(String)
    case constant(Constant)
    case fString([FStringPart])
    case list([Expr])
    case tuple([Expr])
    case set([Expr])
    /// `nil` key: `**mapping`.
    case dict([(key: Expr?, value: Expr)])
    case starred(Expr)
    case attribute(Expr, String)
    case `subscript`(Expr, Expr)
    case slice(Expr?, Expr?, Expr?)
    case call(Expr, [Argument])
    case unary(UnaryOperator, Expr)
    case binary(BinaryOperator, Expr, Expr)
    case and([Expr])
    case or([Expr])
    case compare(Expr, [(CompareOperator, Expr)])
    case conditional(test: Expr, body: Expr, orElse: Expr)
    case lambda(Parameters, Expr)
    case listComp(Expr, [Comprehension])
    case setComp(Expr, [Comprehension])
    case dictComp(Expr, Expr, [Comprehension])
    case generator(Expr, [Comprehension])
    case await(Expr)
    case yield(Expr?)
    case yieldFrom(Expr)
    case namedExpr(String, Expr)
}

/// A Python statement with the position of its first character.
public struct Stmt: Sendable {
    public var kind: StmtKind
    public var position: SourcePosition
    /// The last line the statement spans (for echo and error locations).
    public var endLine: Int

    public init(_ kind: StmtKind, _ position: SourcePosition, endLine: Int) {
        self.kind = kind
        self.position = position
        self.endLine = endLine
    }
}

public struct ExceptHandler: Sendable {
    public var type: Expr?
    public var name: String?
    public var body: [Stmt]
    public var position: SourcePosition
}

public struct FunctionDef: Sendable {
    public var name: String
    public var parameters: Parameters
    public var body: [Stmt]
    public var decorators: [Expr]
    public var returns: Expr?
    public var isAsync: Bool
}

public struct ClassDef: Sendable {
    public var name: String
    public var bases: [Argument]
    public var body: [Stmt]
    public var decorators: [Expr]
}

public struct ImportName: Sendable {
    public var name: String
    public var alias: String?
}

public indirect enum StmtKind: Sendable {
    case expression(Expr)
    case assign(targets: [Expr], value: Expr)
    case augAssign(Expr, BinaryOperator, Expr)
    case annAssign(target: Expr, annotation: Expr, value: Expr?, simple: Bool)
    case `if`(Expr, [Stmt], [Stmt])
    case `while`(Expr, [Stmt], [Stmt])
    case `for`(target: Expr, iterable: Expr, body: [Stmt], orElse: [Stmt], isAsync: Bool)
    case with(items: [(Expr, Expr?)], body: [Stmt], isAsync: Bool)
    case functionDef(FunctionDef)
    case classDef(ClassDef)
    case `return`(Expr?)
    case pass
    case `break`
    case `continue`
    case raise(Expr?, cause: Expr?)
    case `try`(body: [Stmt], handlers: [ExceptHandler], orElse: [Stmt], finally: [Stmt])
    case assert(Expr, Expr?)
    case delete([Expr])
    case global([String])
    case nonlocal([String])
    case `import`([ImportName])
    case importFrom(module: String, names: [ImportName], level: Int)
}
