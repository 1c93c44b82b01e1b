/// A list, set or dict comprehension (run at once) or a generator expression (a lazy iterator).
/// Each runs in a frame of its own, as in Python 3.
final class ComprehensionNode: ExprNode, @unchecked Sendable {
    enum Kind { case list, set, dict, generator }

    struct Clause {
        /// Nil for the first clause, whose iterable is evaluated in the enclosing scope.
        let iterable: ExprNode?
        let target: TargetNode
        let conditions: [ExprNode]
        let isAsync: Bool
    }

    let kind: Kind
    let outer: ExprNode
    let clauses: [Clause]
    let element: ExprNode
    let value: ExprNode?
    let code: CodeObject
    let closureCells: [Int]

    init(
        kind: Kind, outer: ExprNode, clauses: [Clause], element: ExprNode, value: ExprNode?, code: CodeObject, closureCells: [Int],
        _ p: SourcePosition
    ) {
        self.kind = kind
        self.outer = outer
        self.clauses = clauses
        self.element = element
        self.value = value
        self.code = code
        self.closureCells = closureCells
        super.init(p)
    }

    func makeFrame(_ f: Frame) -> Frame {
        let frame = Frame(code: code, ctx: f.ctx, globals: f.globals, classNamespace: nil, function: f.function)
        if !code.cellNames.isEmpty || !closureCells.isEmpty {
            frame.cells = code.cellNames.map { _ in Cell() } + closureCells.map { f.cells[$0] }
        }
        return frame
    }

    override func eval(_ f: Frame) throws -> PyValue {
        let source = try outer.eval(f)
        let frame = makeFrame(f)
        if kind == .generator {
            let it = try f.ctx.iter(source)
            return .object(GeneratorExpression(node: self, frame: frame, first: it))
        }
        switch kind {
        case .list:
            var out: [PyValue] = []
            try run(frame, source, level: 0) { out.append(try element.eval(frame)) }
            return .object(PyList(out))
        case .set:
            let s = PySet()
            try run(frame, source, level: 0) { s.insert(try PyKey.make(try element.eval(frame), f.ctx)) }
            return .object(s)
        case .dict:
            let d = PyDict()
            try run(frame, source, level: 0) {
                let k = try element.eval(frame)
                let v = try value?.eval(frame) ?? .none
                d.set(try PyKey.make(k, f.ctx), v)
            }
            return .object(d)
        case .generator:
            return .none
        }
    }

    /// Runs the clause at `level` over `source`, and the innermost body for each match.
    func run(_ frame: Frame, _ source: PyValue, level: Int, _ body: () throws -> Void) throws {
        let clause = clauses[level]
        let ctx = frame.ctx
        let isLast = level == clauses.count - 1
        func visit(_ v: PyValue) throws {
            try ctx.tick()
            try clause.target.assign(frame, v)
            for c in clause.conditions {
                let t = try c.eval(frame)
                if case .bool(let b) = t { if !b { return } } else if try !ctx.truthy(t) { return }
            }
            if isLast {
                try body()
            } else {
                let next = clauses[level + 1]
                try run(frame, try next.iterable?.eval(frame) ?? .none, level: level + 1, body)
            }
        }
        if clause.isAsync {
            let g = try ctx.asyncIterate(source)
            while let v = try g() { try visit(v) }
            return
        }
        switch source {
        case .object(let r as PyRange):
            var x = r.start
            for _ in 0..<r.count {
                try visit(.int(x))
                x = x &+ r.step
            }
        case .object(let l as PyList):
            var i = 0
            while i < l.items.count {
                try visit(l.items[i])
                i += 1
            }
        default:
            let it = try ctx.iter(source)
            while let v = try it.next(ctx) { try visit(v) }
        }
    }
}

/// A generator expression: a state machine over the comprehension's clauses, so it needs no
/// thread of its own (unlike `def` generators).
final class GeneratorExpression: PyIterator, @unchecked Sendable {
    let node: ComprehensionNode
    let frame: Frame
    var iterators: [PyIterator]
    var finished = false

    init(node: ComprehensionNode, frame: Frame, first: PyIterator) {
        self.node = node
        self.frame = frame
        self.iterators = [first]
        super.init(type: Builtins.generatorType)
    }

    override func next(_ ctx: ExecContext) throws -> PyValue? {
        if finished { return nil }
        frame.ctx = ctx
        let clauses = node.clauses
        do {
            while let it = iterators.last {
                let level = iterators.count - 1
                guard let v = try it.next(ctx) else {
                    iterators.removeLast()
                    continue
                }
                try ctx.tick()
                let clause = clauses[level]
                try clause.target.assign(frame, v)
                var pass = true
                for c in clause.conditions where try !ctx.truthy(try c.eval(frame)) {
                    pass = false
                    break
                }
                guard pass else { continue }
                if level == clauses.count - 1 {
                    return try node.element.eval(frame)
                }
                iterators.append(try ctx.iter(try clauses[level + 1].iterable?.eval(frame) ?? .none))
            }
        } catch {
            finished = true
            throw error
        }
        finished = true
        return nil
    }

    override var kindName: String { "generator" }
}
