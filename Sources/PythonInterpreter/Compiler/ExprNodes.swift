import BigInt

final class ConstNode: ExprNode, @unchecked Sendable {
    let value: PyValue
    init(_ value: PyValue, _ p: SourcePosition) {
        self.value = value
        super.init(p)
    }
    override func eval(_ f: Frame) throws -> PyValue { value }
}

final class LocalLoad: ExprNode, @unchecked Sendable {
    let slot: Int
    let name: String
    init(_ slot: Int, _ name: String, _ p: SourcePosition) {
        self.slot = slot
        self.name = name
        super.init(p)
    }
    override func eval(_ f: Frame) throws -> PyValue {
        if let v = f.locals[slot] { return v }
        throw PyError.unboundLocal("cannot access local variable '\(name)' where it is not associated with a value")
    }
}

final class CellLoad: ExprNode, @unchecked Sendable {
    let index: Int
    let name: String
    let isFree: Bool
    init(_ index: Int, _ name: String, isFree: Bool, _ p: SourcePosition) {
        self.index = index
        self.name = name
        self.isFree = isFree
        super.init(p)
    }
    override func eval(_ f: Frame) throws -> PyValue {
        if let v = f.cells[index].value { return v }
        if isFree {
            throw PyError.name("cannot access free variable '\(name)' where it is not associated with a value in enclosing scope")
        }
        throw PyError.unboundLocal("cannot access local variable '\(name)' where it is not associated with a value")
    }
}

/// A global name: the module's cell, then the builtins' cell (both looked up once).
final class GlobalLoad: ExprNode, @unchecked Sendable {
    let name: String
    private var cached: (globals: ObjectIdentifier, cell: Cell, builtin: Cell)?
    init(_ name: String, _ p: SourcePosition) {
        self.name = name
        super.init(p)
    }
    override func eval(_ f: Frame) throws -> PyValue {
        let cells: (cell: Cell, builtin: Cell)
        if let c = cached, c.globals == ObjectIdentifier(f.globals) {
            cells = (c.cell, c.builtin)
        } else {
            let c = f.globals.cell(name), b = f.ctx.interpreter.builtins.cell(name)
            cached = (ObjectIdentifier(f.globals), c, b)
            cells = (c, b)
        }
        if let v = cells.cell.value { return v }
        if let v = cells.builtin.value { return v }
        throw f.ctx.interpreter.nameError(name)
    }
}

/// A name in a class body: the class namespace, then (for free names) the enclosing cell,
/// else the module globals and builtins.
final class ClassNameLoad: ExprNode, @unchecked Sendable {
    let name: String
    let cellIndex: Int?
    init(_ name: String, cellIndex: Int?, _ p: SourcePosition) {
        self.name = name
        self.cellIndex = cellIndex
        super.init(p)
    }
    override func eval(_ f: Frame) throws -> PyValue {
        if let ns = f.classNamespace, let v = ns.getString(name) { return v }
        if let i = cellIndex, let v = f.cells[i].value { return v }
        if let v = f.globals.get(name) { return v }
        if let v = f.ctx.interpreter.builtins.get(name) { return v }
        throw f.ctx.interpreter.nameError(name)
    }
}

final class AttributeNode: ExprNode, @unchecked Sendable {
    let object: ExprNode
    let name: String
    private var site: AttributeSite
    init(_ object: ExprNode, _ name: String, _ p: SourcePosition) {
        self.object = object
        self.name = name
        self.site = AttributeSite(name)
        super.init(p)
    }
    override func eval(_ f: Frame) throws -> PyValue {
        let v = try object.eval(f)
        if case .object(let o as PyInstance) = v, let r = site.load(o, f.ctx) { return r }
        return try f.ctx.getAttr(v, name)
    }
}

final class SubscriptNode: ExprNode, @unchecked Sendable {
    let object: ExprNode
    let key: ExprNode
    init(_ object: ExprNode, _ key: ExprNode, _ p: SourcePosition) {
        self.object = object
        self.key = key
        super.init(p)
    }
    override func eval(_ f: Frame) throws -> PyValue {
        let o = try object.eval(f)
        let k = try key.eval(f)
        if case .object(let l as PyList) = o, case .int(let i) = k {
            let j = i < 0 ? i + l.items.count : i
            if j >= 0 && j < l.items.count { return l.items[j] }
        }
        return try f.ctx.getItem(o, k)
    }
}

final class SliceNode: ExprNode, @unchecked Sendable {
    let lower: ExprNode?, upper: ExprNode?, step: ExprNode?
    init(_ lower: ExprNode?, _ upper: ExprNode?, _ step: ExprNode?, _ p: SourcePosition) {
        self.lower = lower
        self.upper = upper
        self.step = step
        super.init(p)
    }
    override func eval(_ f: Frame) throws -> PyValue {
        .object(PySlice(try lower?.eval(f) ?? .none, try upper?.eval(f) ?? .none, try step?.eval(f) ?? .none))
    }
}

/// One argument at a call site, compiled.
enum ArgNode {
    case positional(ExprNode)
    case starred(ExprNode)
    case keyword(String, ExprNode)
    case doubleStarred(ExprNode)
}

func evalArguments(_ args: [ArgNode], simple: Bool, _ f: Frame) throws -> Args {
    if simple {
        var positional: [PyValue] = []
        positional.reserveCapacity(args.count)
        for case .positional(let e) in args { positional.append(try e.eval(f)) }
        return Args(positional)
    }
    var out = Args()
    for a in args {
        switch a {
        case .positional(let e): out.positional.append(try e.eval(f))
        case .starred(let e):
            let v = try e.eval(f)
            do {
                out.positional.append(contentsOf: try f.ctx.iterateToArray(v))
            } catch let err as PyError where err.isInstance(of: Builtins.typeErrorType) && (try? f.ctx.iter(v)) == nil {
                throw PyError.type("Value after * must be an iterable, not \(v.typeName)")
            }
        case .keyword(let k, let e):
            let v = try e.eval(f)
            if out.keywords.contains(where: { $0.name == k }) {
                throw PyError.type("keyword argument repeated: \(k)")
            }
            out.keywords.append((k, v))
        case .doubleStarred(let e):
            let v = try e.eval(f)
            guard case .object = v, try (v.as(PyDict.self) != nil || f.ctx.lookupAttr(v, "keys") != nil) else {
                throw PyError.type("argument after ** must be a mapping, not \(v.typeName)")
            }
            for (k, x) in try f.ctx.mappingPairs(v) {
                guard case .str(let name) = k.value else { throw PyError.type("keywords must be strings") }
                if out.keywords.contains(where: { $0.name == name }) {
                    throw PyError.type("got multiple values for keyword argument '\(name)'")
                }
                out.keywords.append((name, x))
            }
        }
    }
    return out
}

final class CallNode: ExprNode, @unchecked Sendable {
    let callee: ExprNode
    let args: [ArgNode]
    let simple: Bool
    init(_ callee: ExprNode, _ args: [ArgNode], _ p: SourcePosition) {
        self.callee = callee
        self.args = args
        simple = args.allSatisfy {
            if case .positional = $0 { return true }; return false
        }
        super.init(p)
    }
    override func eval(_ f: Frame) throws -> PyValue {
        let fn = try callee.eval(f)
        let a = try evalArguments(args, simple: simple, f)
        guard case .object(let o) = fn else { throw PyError.type("'\(fn.typeName)' object is not callable") }
        return try o.call(f.ctx, a)
    }
}

/// `obj.name(args)`: calls the method without building a bound-method object when possible.
final class MethodCallNode: ExprNode, @unchecked Sendable {
    let object: ExprNode
    let name: String
    let args: [ArgNode]
    let simple: Bool
    private var site: AttributeSite
    init(_ object: ExprNode, _ name: String, _ args: [ArgNode], _ p: SourcePosition) {
        self.object = object
        self.name = name
        self.site = AttributeSite(name)
        self.args = args
        simple = args.allSatisfy {
            if case .positional = $0 { return true }; return false
        }
        super.init(p)
    }
    override func eval(_ f: Frame) throws -> PyValue {
        let receiver = try object.eval(f)
        let ctx = f.ctx
        var method: PyValue?
        if case .object(let o) = receiver, o is PyType || o is PyModule || o is PySuper {
            method = nil
        } else {
            let type = receiver.type
            if case .object(let o as PyInstance) = receiver {
                method = site.method(o, ctx)
            } else if type.isBuiltin {
                method = type.lookup(name)
            } else if case .object(let o) = receiver, let d = o.instanceDict, d.get(site.key) == nil {
                method = type.lookup(name)
            }
        }
        if case .object(let m)? = method {
            if let native = m as? PyNativeMethod {
                return try native.body(ctx, receiver.unboxed, try evalArguments(args, simple: simple, f))
            }
            if let fn = m as? PyFunction {
                var a = try evalArguments(args, simple: simple, f)
                a.positional.insert(receiver, at: 0)
                return try ctx.callFunction(fn, a)
            }
        }
        let callee = try ctx.getAttr(receiver, name)
        return try ctx.call(callee, try evalArguments(args, simple: simple, f))
    }
}

final class BinaryNode: ExprNode, @unchecked Sendable {
    let op: BinaryOperator
    let left: ExprNode, right: ExprNode
    init(_ op: BinaryOperator, _ left: ExprNode, _ right: ExprNode, _ p: SourcePosition) {
        self.op = op
        self.left = left
        self.right = right
        super.init(p)
    }
    override func eval(_ f: Frame) throws -> PyValue {
        let a = try left.eval(f)
        let b = try right.eval(f)
        if case .int(let x) = a, case .int(let y) = b {
            switch op {
            case .add:
                let (r, o) = x.addingReportingOverflow(y)
                if !o { return .int(r) }
            case .sub:
                let (r, o) = x.subtractingReportingOverflow(y)
                if !o { return .int(r) }
            case .mul:
                let (r, o) = x.multipliedReportingOverflow(by: y)
                if !o { return .int(r) }
            default: break
            }
        } else if case .float(let x) = a, case .float(let y) = b {
            switch op {
            case .add: return .float(x + y)
            case .sub: return .float(x - y)
            case .mul: return .float(x * y)
            default: break
            }
        }
        return try f.ctx.binaryOp(op, a, b)
    }
}

final class UnaryNode: ExprNode, @unchecked Sendable {
    let op: UnaryOperator
    let operand: ExprNode
    init(_ op: UnaryOperator, _ operand: ExprNode, _ p: SourcePosition) {
        self.op = op
        self.operand = operand
        super.init(p)
    }
    override func eval(_ f: Frame) throws -> PyValue {
        let v = try operand.eval(f)
        if op == .not {
            if case .bool(let b) = v { return .bool(!b) }
            return .bool(try !f.ctx.truthy(v))
        }
        return try f.ctx.unaryOp(op, v)
    }
}

final class AndNode: ExprNode, @unchecked Sendable {
    let items: [ExprNode]
    init(_ items: [ExprNode], _ p: SourcePosition) {
        self.items = items
        super.init(p)
    }
    override func eval(_ f: Frame) throws -> PyValue {
        var v = PyValue.none
        for (i, e) in items.enumerated() {
            v = try e.eval(f)
            if i < items.count - 1, try !f.ctx.truthy(v) { return v }
        }
        return v
    }
}

final class OrNode: ExprNode, @unchecked Sendable {
    let items: [ExprNode]
    init(_ items: [ExprNode], _ p: SourcePosition) {
        self.items = items
        super.init(p)
    }
    override func eval(_ f: Frame) throws -> PyValue {
        var v = PyValue.none
        for (i, e) in items.enumerated() {
            v = try e.eval(f)
            if i < items.count - 1, try f.ctx.truthy(v) { return v }
        }
        return v
    }
}

func compareValues(_ ctx: ExecContext, _ op: CompareOperator, _ a: PyValue, _ b: PyValue) throws -> Bool {
    switch op {
    case .eq: return try ctx.equals(a, b)
    case .notEq: return try ctx.notEquals(a, b)
    case .is: return a.isIdentical(to: b)
    case .isNot: return !a.isIdentical(to: b)
    case .in: return try ctx.contains(b, a)
    case .notIn: return try !ctx.contains(b, a)
    default: return try ctx.compare(a, b, op)
    }
}

final class CompareNode: ExprNode, @unchecked Sendable {
    let first: ExprNode
    let ops: [(CompareOperator, ExprNode)]
    init(_ first: ExprNode, _ ops: [(CompareOperator, ExprNode)], _ p: SourcePosition) {
        self.first = first
        self.ops = ops
        super.init(p)
    }
    override func eval(_ f: Frame) throws -> PyValue {
        var left = try first.eval(f)
        for (op, node) in ops {
            let right = try node.eval(f)
            let result: Bool
            if case .int(let x) = left, case .int(let y) = right {
                switch op {
                case .lt: result = x < y
                case .ltE: result = x <= y
                case .gt: result = x > y
                case .gtE: result = x >= y
                case .eq: result = x == y
                case .notEq: result = x != y
                default: result = try compareValues(f.ctx, op, left, right)
                }
            } else {
                result = try compareValues(f.ctx, op, left, right)
            }
            if !result { return .false }
            left = right
        }
        return .true
    }
}

final class ConditionalNode: ExprNode, @unchecked Sendable {
    let test: ExprNode, body: ExprNode, orElse: ExprNode
    init(_ test: ExprNode, _ body: ExprNode, _ orElse: ExprNode, _ p: SourcePosition) {
        self.test = test
        self.body = body
        self.orElse = orElse
        super.init(p)
    }
    override func eval(_ f: Frame) throws -> PyValue {
        try f.ctx.truthy(try test.eval(f)) ? try body.eval(f) : try orElse.eval(f)
    }
}

/// Elements of a list/tuple/set display, with `*x` unpacking.
enum ElementNode {
    case single(ExprNode)
    case starred(ExprNode)
}

func evalElements(_ items: [ElementNode], _ f: Frame) throws -> [PyValue] {
    var out: [PyValue] = []
    out.reserveCapacity(items.count)
    for item in items {
        switch item {
        case .single(let e): out.append(try e.eval(f))
        case .starred(let e): out.append(contentsOf: try f.ctx.iterateToArray(try e.eval(f)))
        }
    }
    return out
}

final class ListNode: ExprNode, @unchecked Sendable {
    let items: [ElementNode]
    init(_ items: [ElementNode], _ p: SourcePosition) {
        self.items = items
        super.init(p)
    }
    override func eval(_ f: Frame) throws -> PyValue { .object(PyList(try evalElements(items, f))) }
}

final class TupleNode: ExprNode, @unchecked Sendable {
    let items: [ElementNode]
    init(_ items: [ElementNode], _ p: SourcePosition) {
        self.items = items
        super.init(p)
    }
    override func eval(_ f: Frame) throws -> PyValue { .object(PyTuple(try evalElements(items, f))) }
}

final class SetNode: ExprNode, @unchecked Sendable {
    let items: [ElementNode]
    init(_ items: [ElementNode], _ p: SourcePosition) {
        self.items = items
        super.init(p)
    }
    override func eval(_ f: Frame) throws -> PyValue {
        let s = PySet()
        for v in try evalElements(items, f) { s.insert(try PyKey.make(v, f.ctx)) }
        return .object(s)
    }
}

final class DictNode: ExprNode, @unchecked Sendable {
    let pairs: [(ExprNode?, ExprNode)]
    init(_ pairs: [(ExprNode?, ExprNode)], _ p: SourcePosition) {
        self.pairs = pairs
        super.init(p)
    }
    override func eval(_ f: Frame) throws -> PyValue {
        let d = PyDict()
        for (k, v) in pairs {
            if let k {
                let key = try k.eval(f)
                d.set(try PyKey.make(key, f.ctx), try v.eval(f))
            } else {
                let m = try v.eval(f)
                guard case .object = m, try (m.as(PyDict.self) != nil || f.ctx.lookupAttr(m, "keys") != nil) else {
                    throw PyError.type("'\(m.typeName)' object is not a mapping")
                }
                for (key, value) in try f.ctx.mappingPairs(m) { d.set(key, value) }
            }
        }
        return .object(d)
    }
}

/// An f-string piece, compiled.
enum FStringNodePart {
    case literal(String)
    case field(ExprNode, conversion: Character?, spec: [FStringNodePart]?, debugText: String?)
}

final class FStringNode: ExprNode, @unchecked Sendable {
    let parts: [FStringNodePart]
    init(_ parts: [FStringNodePart], _ p: SourcePosition) {
        self.parts = parts
        super.init(p)
    }
    override func eval(_ f: Frame) throws -> PyValue { .str(try FStringNode.render(parts, f)) }

    static func render(_ parts: [FStringNodePart], _ f: Frame) throws -> String {
        var out = ""
        for part in parts {
            switch part {
            case .literal(let s): out += s
            case .field(let e, let conversion, let spec, let debugText):
                if let debugText { out += debugText }
                var v = try e.eval(f)
                switch conversion {
                case "r"?: v = .str(try f.ctx.repr(v))
                case "s"?: v = .str(try f.ctx.str(v))
                case "a"?: v = .str(f.ctx.ascii(try f.ctx.repr(v)))
                default: break
                }
                let specText = try spec.map { try render($0, f) } ?? ""
                if specText.isEmpty, case .str(let s) = v { out += s; continue }
                out += try f.ctx.format(v, specText)
            }
            if out.utf8.count > f.ctx.interpreter.maxValueBytes { try f.ctx.checkSize(out.utf8.count) }
        }
        return out
    }
}

final class NamedExprNode: ExprNode, @unchecked Sendable {
    let target: TargetNode
    let value: ExprNode
    init(_ target: TargetNode, _ value: ExprNode, _ p: SourcePosition) {
        self.target = target
        self.value = value
        super.init(p)
    }
    override func eval(_ f: Frame) throws -> PyValue {
        let v = try value.eval(f)
        try target.assign(f, v)
        return v
    }
}

/// Builds a function object (a `def` or a lambda) from its compiled code.
final class MakeFunctionNode: ExprNode, @unchecked Sendable {
    let code: CodeObject
    let defaults: [ExprNode]
    let keywordDefaults: [(String, ExprNode)]
    let annotations: [(String, ExprNode)]
    /// Where each free variable's cell comes from in the defining frame.
    let closureCells: [Int]
    init(
        code: CodeObject, defaults: [ExprNode], keywordDefaults: [(String, ExprNode)], annotations: [(String, ExprNode)],
        closureCells: [Int], _ p: SourcePosition
    ) {
        self.code = code
        self.defaults = defaults
        self.keywordDefaults = keywordDefaults
        self.annotations = annotations
        self.closureCells = closureCells
        super.init(p)
    }
    override func eval(_ f: Frame) throws -> PyValue {
        var kw: [String: PyValue] = [:]
        for (k, e) in keywordDefaults { kw[k] = try e.eval(f) }
        let ann = PyDict()
        for (k, e) in annotations { ann.setString(k, try e.eval(f)) }
        let module = f.globals.get("__name__")?.stringValue ?? "__main__"
        let fn = PyFunction(
            code: code, globals: f.globals, defaults: try defaults.map { try $0.eval(f) }, keywordDefaults: kw,
            closure: closureCells.map { f.cells[$0] }, annotations: ann, module: module)
        return .object(fn)
    }
}

/// `super()` with no arguments: the defining class of the running method and its first argument.
final class ZeroArgSuperNode: ExprNode, @unchecked Sendable {
    override func eval(_ f: Frame) throws -> PyValue {
        guard let fn = f.function, let cls = fn.definingClass else {
            throw PyError.runtime("super(): __class__ cell not found")
        }
        guard f.code.parameters.positionalCount > 0 || f.code.parameters.varArgsSlot != nil, let first = f.locals.first ?? nil else {
            throw PyError.runtime("super(): no arguments")
        }
        var receiver = first
        if f.code.parameters.positionalCount == 0, let t = first.as(PyTuple.self), let x = t.items.first { receiver = x }
        return .object(PySuper(startAfter: cls, receiver: receiver))
    }
}

final class AwaitNode: ExprNode, @unchecked Sendable {
    let value: ExprNode
    init(_ value: ExprNode, _ p: SourcePosition) {
        self.value = value
        super.init(p)
    }
    override func eval(_ f: Frame) throws -> PyValue {
        try f.ctx.await(try value.eval(f))
    }
}

final class YieldNode: ExprNode, @unchecked Sendable {
    let value: ExprNode?
    init(_ value: ExprNode?, _ p: SourcePosition) {
        self.value = value
        super.init(p)
    }
    override func eval(_ f: Frame) throws -> PyValue {
        let v = try value?.eval(f) ?? .none
        return try f.ctx.yieldValue(v)
    }
}

final class YieldFromNode: ExprNode, @unchecked Sendable {
    let value: ExprNode
    init(_ value: ExprNode, _ p: SourcePosition) {
        self.value = value
        super.init(p)
    }
    override func eval(_ f: Frame) throws -> PyValue {
        let source = try value.eval(f)
        if case .object(let g as PyGenerator) = source {
            var sent = PyValue.none
            while true {
                guard let x = try g.resume(f.ctx, send: sent) else { return g.returnValue ?? .none }
                sent = try f.ctx.yieldValue(x)
            }
        }
        let it = try f.ctx.iter(source)
        while let x = try it.next(f.ctx) { _ = try f.ctx.yieldValue(x) }
        return .none
    }
}
