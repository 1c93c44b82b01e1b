/// Something that can be assigned to or deleted: a name, attribute, item or an unpacking.
class TargetNode: @unchecked Sendable {
    // Sendable proof: immutable after compilation.
    let position: SourcePosition
    init(_ p: SourcePosition) { position = p }
    func assign(_ f: Frame, _ v: PyValue) throws { fatalError("abstract") }
    func delete(_ f: Frame) throws { fatalError("abstract") }
    /// The current value, for augmented assignment (`x += 1`).
    func load(_ f: Frame) throws -> PyValue { fatalError("abstract") }
}

final class LocalTarget: TargetNode, @unchecked Sendable {
    let slot: Int
    let name: String
    init(_ slot: Int, _ name: String, _ p: SourcePosition) {
        self.slot = slot
        self.name = name
        super.init(p)
    }
    override func assign(_ f: Frame, _ v: PyValue) throws { f.locals[slot] = v }
    override func delete(_ f: Frame) throws {
        guard f.locals[slot] != nil else {
            throw PyError.unboundLocal("cannot access local variable '\(name)' where it is not associated with a value")
        }
        f.locals[slot] = nil
    }
    override func load(_ f: Frame) throws -> PyValue {
        if let v = f.locals[slot] { return v }
        throw PyError.unboundLocal("cannot access local variable '\(name)' where it is not associated with a value")
    }
}

final class CellTarget: TargetNode, @unchecked Sendable {
    let index: Int
    let name: String
    init(_ index: Int, _ name: String, _ p: SourcePosition) {
        self.index = index
        self.name = name
        super.init(p)
    }
    override func assign(_ f: Frame, _ v: PyValue) throws { f.cells[index].value = v }
    override func delete(_ f: Frame) throws {
        guard f.cells[index].value != nil else {
            throw PyError.unboundLocal("cannot access local variable '\(name)' where it is not associated with a value")
        }
        f.cells[index].value = nil
    }
    override func load(_ f: Frame) throws -> PyValue {
        if let v = f.cells[index].value { return v }
        throw PyError.name("cannot access free variable '\(name)' where it is not associated with a value in enclosing scope")
    }
}

final class GlobalTarget: TargetNode, @unchecked Sendable {
    let name: String
    /// The module's cell for the name, looked up once per module.
    private var cached: (globals: Globals, cell: Cell)?
    init(_ name: String, _ p: SourcePosition) {
        self.name = name
        super.init(p)
    }
    private func cell(_ f: Frame) -> Cell {
        if let c = cached, c.globals === f.globals { return c.cell }
        let c = f.globals.cell(name)
        cached = (f.globals, c)
        return c
    }
    override func assign(_ f: Frame, _ v: PyValue) throws {
        try f.ctx.interpreter.checkAssignable(name, in: f.globals)
        let c = cell(f)
        // A bound name keeps its place in the definition order; a new one goes through `set`.
        if c.value != nil { c.value = v } else { f.globals.set(name, v) }
    }
    override func delete(_ f: Frame) throws {
        guard f.globals.remove(name) != nil else { throw f.ctx.interpreter.nameError(name) }
    }
    override func load(_ f: Frame) throws -> PyValue {
        if let v = cell(f).value ?? f.ctx.interpreter.builtins.get(name) { return v }
        throw f.ctx.interpreter.nameError(name)
    }
}

/// A name assigned in a class body (goes into the class namespace).
final class ClassNameTarget: TargetNode, @unchecked Sendable {
    let name: String
    init(_ name: String, _ p: SourcePosition) {
        self.name = name
        super.init(p)
    }
    override func assign(_ f: Frame, _ v: PyValue) throws { f.classNamespace?.setString(name, v) }
    override func delete(_ f: Frame) throws {
        guard f.classNamespace?.removeString(name) != nil else { throw f.ctx.interpreter.nameError(name) }
    }
    override func load(_ f: Frame) throws -> PyValue {
        if let v = f.classNamespace?.getString(name) ?? f.globals.get(name) ?? f.ctx.interpreter.builtins.get(name) { return v }
        throw f.ctx.interpreter.nameError(name)
    }
}

final class AttributeTarget: TargetNode, @unchecked Sendable {
    let object: ExprNode
    let name: String
    private var site: AttributeSite
    init(_ object: ExprNode, _ name: String, _ p: SourcePosition) {
        self.object = object
        self.name = name
        self.site = AttributeSite(name)
        super.init(p)
    }
    override func assign(_ f: Frame, _ v: PyValue) throws {
        let target = try object.eval(f)
        if case .object(let o as PyInstance) = target, site.store(o, v, f.ctx) { return }
        try f.ctx.setAttr(target, name, v)
    }
    override func delete(_ f: Frame) throws { try f.ctx.delAttr(try object.eval(f), name) }
    override func load(_ f: Frame) throws -> PyValue { try f.ctx.getAttr(try object.eval(f), name) }
}

final class SubscriptTarget: TargetNode, @unchecked Sendable {
    let object: ExprNode
    let key: ExprNode
    init(_ object: ExprNode, _ key: ExprNode, _ p: SourcePosition) {
        self.object = object
        self.key = key
        super.init(p)
    }
    override func assign(_ f: Frame, _ v: PyValue) throws {
        let o = try object.eval(f)
        let k = try key.eval(f)
        if case .object(let l as PyList) = o, case .int(let i) = k {
            let j = i < 0 ? i + l.items.count : i
            if j >= 0 && j < l.items.count { l.items[j] = v; return }
        }
        try f.ctx.setItem(o, k, v)
    }
    override func delete(_ f: Frame) throws { try f.ctx.delItem(try object.eval(f), try key.eval(f)) }
    override func load(_ f: Frame) throws -> PyValue { try f.ctx.getItem(try object.eval(f), try key.eval(f)) }
}

/// `a, *b, c = value`.
final class UnpackTarget: TargetNode, @unchecked Sendable {
    let targets: [TargetNode]
    let starIndex: Int?
    init(_ targets: [TargetNode], starIndex: Int?, _ p: SourcePosition) {
        self.targets = targets
        self.starIndex = starIndex
        super.init(p)
    }
    override func assign(_ f: Frame, _ v: PyValue) throws {
        guard let star = starIndex else {
            let values = try f.ctx.unpack(v, count: targets.count)
            for (t, x) in zip(targets, values) { try t.assign(f, x) }
            return
        }
        let values: [PyValue]
        do {
            values = try f.ctx.iterateToArray(v)
        } catch let e as PyError where e.isInstance(of: Builtins.typeErrorType) {
            throw PyError.type("cannot unpack non-iterable \(v.typeName) object")
        }
        let minimum = targets.count - 1
        guard values.count >= minimum else {
            throw PyError.value("not enough values to unpack (expected at least \(minimum), got \(values.count))")
        }
        for i in 0..<star { try targets[i].assign(f, values[i]) }
        let after = targets.count - star - 1
        try targets[star].assign(f, .object(PyList(Array(values[star..<(values.count - after)]))))
        for j in 0..<after { try targets[star + 1 + j].assign(f, values[values.count - after + j]) }
    }
    override func delete(_ f: Frame) throws { for t in targets { try t.delete(f) } }
    override func load(_ f: Frame) throws -> PyValue { throw PyError.type("illegal expression for augmented assignment") }
}
