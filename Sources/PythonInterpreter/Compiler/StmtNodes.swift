/// Runs statements in order, stopping at break/continue/return, and records where an
/// exception passed through (the innermost statement of each frame).
@inline(__always)
func runBlock(_ body: [StmtNode], _ f: Frame) throws -> Flow {
    for s in body {
        let flow: Flow
        do {
            flow = try s.exec(f)
        } catch let e as PyError {
            e.exception.note(frame: f, position: s.position)
            throw e
        }
        if case .normal = flow { continue }
        return flow
    }
    return .normal
}

extension PyExceptionObject {
    /// Adds a traceback entry for `frame`, unless an inner statement of the same frame did.
    func note(frame: Frame, position: SourcePosition) {
        let id = ObjectIdentifier(frame)
        if lastFrame == id { return }
        lastFrame = id
        traceback.append(TracebackEntry(file: frame.code.filename, function: frame.code.name, position: position))
    }
}

final class ExprStmtNode: StmtNode, @unchecked Sendable {
    let expr: ExprNode
    /// Interactive mode prints the value of expression statements.
    let display: Bool
    /// Directly in an interactive module body (its value goes through `topLevelValue`).
    let topLevel: Bool
    init(_ expr: ExprNode, display: Bool, topLevel: Bool = false, _ p: SourcePosition, endLine: Int) {
        self.expr = expr
        self.display = display
        self.topLevel = topLevel
        super.init(p, endLine: endLine)
    }
    override func exec(_ f: Frame) throws -> Flow {
        var v = try expr.eval(f)
        if display {
            if topLevel, let hook = f.ctx.interpreter.hooks.topLevelValue { v = try hook(f.ctx, v, false) }
            try f.ctx.interpreter.display(f.ctx, v)
        }
        return .normal
    }
}

final class AssignNode: StmtNode, @unchecked Sendable {
    let targets: [TargetNode]
    let value: ExprNode
    /// An interactive top-level `name = value` (its value goes through `topLevelValue`).
    let topLevel: Bool
    init(_ targets: [TargetNode], _ value: ExprNode, topLevel: Bool = false, _ p: SourcePosition, endLine: Int) {
        self.targets = targets
        self.value = value
        self.topLevel = topLevel
        super.init(p, endLine: endLine)
    }
    override func exec(_ f: Frame) throws -> Flow {
        var v = try value.eval(f)
        if topLevel, let hook = f.ctx.interpreter.hooks.topLevelValue { v = try hook(f.ctx, v, true) }
        for t in targets { try t.assign(f, v) }
        return .normal
    }
}

final class AssignLocalNode: StmtNode, @unchecked Sendable {
    let slot: Int
    let value: ExprNode
    init(_ slot: Int, _ value: ExprNode, _ p: SourcePosition, endLine: Int) {
        self.slot = slot
        self.value = value
        super.init(p, endLine: endLine)
    }
    override func exec(_ f: Frame) throws -> Flow {
        f.locals[slot] = try value.eval(f)
        return .normal
    }
}

final class AugAssignNode: StmtNode, @unchecked Sendable {
    let target: TargetNode
    let op: BinaryOperator
    let value: ExprNode
    init(_ target: TargetNode, _ op: BinaryOperator, _ value: ExprNode, _ p: SourcePosition, endLine: Int) {
        self.target = target
        self.op = op
        self.value = value
        super.init(p, endLine: endLine)
    }
    override func exec(_ f: Frame) throws -> Flow {
        if let local = target as? LocalTarget {
            guard let current = f.locals[local.slot] else { _ = try local.load(f); return .normal }
            let v = try value.eval(f)
            if case .int(let x) = current, case .int(let y) = v {
                switch op {
                case .add:
                    let (r, o) = x.addingReportingOverflow(y)
                    if !o { f.locals[local.slot] = .int(r); return .normal }
                case .sub:
                    let (r, o) = x.subtractingReportingOverflow(y)
                    if !o { f.locals[local.slot] = .int(r); return .normal }
                default: break
                }
            }
            f.locals[local.slot] = try f.ctx.inplaceOp(op, current, v)
            return .normal
        }
        if let attr = target as? AttributeTarget {
            let o = try attr.object.eval(f)
            let current = try f.ctx.getAttr(o, attr.name)
            try f.ctx.setAttr(o, attr.name, try f.ctx.inplaceOp(op, current, try value.eval(f)))
            return .normal
        }
        if let sub = target as? SubscriptTarget {
            let o = try sub.object.eval(f)
            let k = try sub.key.eval(f)
            let current = try f.ctx.getItem(o, k)
            try f.ctx.setItem(o, k, try f.ctx.inplaceOp(op, current, try value.eval(f)))
            return .normal
        }
        let current = try target.load(f)
        try target.assign(f, try f.ctx.inplaceOp(op, current, try value.eval(f)))
        return .normal
    }
}

/// `x: T = v` (the annotation is recorded in a class body or module).
final class AnnAssignNode: StmtNode, @unchecked Sendable {
    let target: TargetNode?
    let name: String?
    let annotation: ExprNode
    let value: ExprNode?
    /// Module and class bodies keep `__annotations__`.
    let recordAnnotation: Bool
    init(
        target: TargetNode?, name: String?, annotation: ExprNode, value: ExprNode?, recordAnnotation: Bool,
        _ p: SourcePosition, endLine: Int
    ) {
        self.target = target
        self.name = name
        self.annotation = annotation
        self.value = value
        self.recordAnnotation = recordAnnotation
        super.init(p, endLine: endLine)
    }
    override func exec(_ f: Frame) throws -> Flow {
        if let value, let target { try target.assign(f, try value.eval(f)) }
        if recordAnnotation, let name {
            let ann = try annotation.eval(f)
            if let ns = f.classNamespace {
                let dict: PyDict
                if let d = ns.getString("__annotations__")?.as(PyDict.self) {
                    dict = d
                } else {
                    dict = PyDict()
                    ns.setString("__annotations__", .object(dict))
                }
                dict.setString(name, ann)
            } else {
                let dict: PyDict
                if let d = f.globals.get("__annotations__")?.as(PyDict.self) {
                    dict = d
                } else {
                    dict = PyDict()
                    f.globals.set("__annotations__", .object(dict))
                }
                dict.setString(name, ann)
            }
        }
        return .normal
    }
}

final class IfNode: StmtNode, @unchecked Sendable {
    let test: ExprNode
    let body: [StmtNode]
    let orElse: [StmtNode]
    init(_ test: ExprNode, _ body: [StmtNode], _ orElse: [StmtNode], _ p: SourcePosition, endLine: Int) {
        self.test = test
        self.body = body
        self.orElse = orElse
        super.init(p, endLine: endLine)
    }
    override func exec(_ f: Frame) throws -> Flow {
        let v = try test.eval(f)
        let t: Bool
        if case .bool(let b) = v { t = b } else { t = try f.ctx.truthy(v) }
        return try runBlock(t ? body : orElse, f)
    }
}

final class WhileNode: StmtNode, @unchecked Sendable {
    let test: ExprNode
    let body: [StmtNode]
    let orElse: [StmtNode]
    init(_ test: ExprNode, _ body: [StmtNode], _ orElse: [StmtNode], _ p: SourcePosition, endLine: Int) {
        self.test = test
        self.body = body
        self.orElse = orElse
        super.init(p, endLine: endLine)
    }
    override func exec(_ f: Frame) throws -> Flow {
        let ctx = f.ctx
        while true {
            try ctx.tick()
            let v = try test.eval(f)
            let t: Bool
            if case .bool(let b) = v { t = b } else { t = try ctx.truthy(v) }
            guard t else { break }
            switch try runBlock(body, f) {
            case .normal, .continueLoop: continue
            case .breakLoop: return .normal
            case .returnValue(let r): return .returnValue(r)
            }
        }
        return try runBlock(orElse, f)
    }
}

final class ForNode: StmtNode, @unchecked Sendable {
    let target: TargetNode
    let iterable: ExprNode
    let body: [StmtNode]
    let orElse: [StmtNode]
    let isAsync: Bool
    init(
        _ target: TargetNode, _ iterable: ExprNode, _ body: [StmtNode], _ orElse: [StmtNode], isAsync: Bool, _ p: SourcePosition,
        endLine: Int
    ) {
        self.target = target
        self.iterable = iterable
        self.body = body
        self.orElse = orElse
        self.isAsync = isAsync
        super.init(p, endLine: endLine)
    }

    /// Runs the body once; returns a flow that ends the loop, or nil to continue.
    @inline(__always)
    func step(_ f: Frame) throws -> Flow? {
        switch try runBlock(body, f) {
        case .normal, .continueLoop: return nil
        case .breakLoop: return .normal
        case .returnValue(let r): return .returnValue(r)
        }
    }

    override func exec(_ f: Frame) throws -> Flow {
        let ctx = f.ctx
        let source = try iterable.eval(f)
        if isAsync { return try execAsync(f, source) }
        let local = target as? LocalTarget
        switch source {
        case .object(let r as PyRange):
            var x = r.start
            for _ in 0..<r.count {
                try ctx.tick()
                if let local { f.locals[local.slot] = .int(x) } else { try target.assign(f, .int(x)) }
                if let end = try step(f) { return end }
                x = x &+ r.step
            }
        case .object(let l as PyList):
            var i = 0
            while i < l.items.count {
                try ctx.tick()
                let v = l.items[i]
                if let local { f.locals[local.slot] = v } else { try target.assign(f, v) }
                if let end = try step(f) { return end }
                i += 1
            }
        default:
            let it = try ctx.iter(source)
            while let v = try it.next(ctx) {
                try ctx.tick()
                try target.assign(f, v)
                if let end = try step(f) { return end }
            }
        }
        return try runBlock(orElse, f)
    }

    func execAsync(_ f: Frame, _ source: PyValue) throws -> Flow {
        let ctx = f.ctx
        if case .object(let g as PyGenerator) = source, g.isAsync {
            while let v = try g.resume(ctx, send: .none) {
                try target.assign(f, v)
                if let end = try step(f) { return end }
            }
            return try runBlock(orElse, f)
        }
        guard let aiter = ctx.special(source, "__aiter__") else {
            throw PyError.type("'async for' requires an object with __aiter__ method, got \(source.typeName)")
        }
        let it = try ctx.callDescriptor(aiter, self: source, Args())
        while true {
            try ctx.tick()
            guard let anext = ctx.special(it, "__anext__") else {
                throw PyError.type("'async for' received an object from __aiter__ that does not implement __anext__: \(it.typeName)")
            }
            let awaitable = try ctx.callDescriptor(anext, self: it, Args())
            let v: PyValue
            do { v = try ctx.await(awaitable) } catch let e as PyError where e.isInstance(of: Builtins.stopAsyncIterationType) { break }
            try target.assign(f, v)
            if let end = try step(f) { return end }
        }
        return try runBlock(orElse, f)
    }
}

final class BreakNode: StmtNode, @unchecked Sendable {
    override func exec(_ f: Frame) throws -> Flow { .breakLoop }
}

final class ContinueNode: StmtNode, @unchecked Sendable {
    override func exec(_ f: Frame) throws -> Flow { .continueLoop }
}

final class PassNode: StmtNode, @unchecked Sendable {
    override func exec(_ f: Frame) throws -> Flow { .normal }
}

final class ReturnNode: StmtNode, @unchecked Sendable {
    let value: ExprNode?
    init(_ value: ExprNode?, _ p: SourcePosition, endLine: Int) {
        self.value = value
        super.init(p, endLine: endLine)
    }
    override func exec(_ f: Frame) throws -> Flow { .returnValue(try value?.eval(f) ?? .none) }
}

final class RaiseNode: StmtNode, @unchecked Sendable {
    let exception: ExprNode?
    let cause: ExprNode?
    init(_ exception: ExprNode?, _ cause: ExprNode?, _ p: SourcePosition, endLine: Int) {
        self.exception = exception
        self.cause = cause
        super.init(p, endLine: endLine)
    }
    override func exec(_ f: Frame) throws -> Flow {
        guard let exception else {
            guard let current = f.ctx.handlingException else {
                throw PyError.runtime("No active exception to reraise")
            }
            throw PyError(current)
        }
        let e = try f.ctx.makeException(try exception.eval(f))
        if let cause {
            let c = try cause.eval(f)
            if c.isNone {
                e.cause = nil
            } else {
                e.cause = try f.ctx.makeException(c)
            }
            e.suppressContext = true
        }
        if e.context == nil, let handling = f.ctx.handlingException, handling !== e { e.context = handling }
        e.traceback = []
        e.lastFrame = nil
        throw PyError(e)
    }
}

final class AssertNode: StmtNode, @unchecked Sendable {
    let test: ExprNode
    let message: ExprNode?
    init(_ test: ExprNode, _ message: ExprNode?, _ p: SourcePosition, endLine: Int) {
        self.test = test
        self.message = message
        super.init(p, endLine: endLine)
    }
    override func exec(_ f: Frame) throws -> Flow {
        if try !f.ctx.truthy(try test.eval(f)) {
            if let message {
                let m = try message.eval(f)
                throw PyError(PyExceptionObject(cls: Builtins.assertionErrorType, args: [m]))
            }
            throw PyError.assertion(nil)
        }
        return .normal
    }
}

final class DeleteNode: StmtNode, @unchecked Sendable {
    let targets: [TargetNode]
    init(_ targets: [TargetNode], _ p: SourcePosition, endLine: Int) {
        self.targets = targets
        super.init(p, endLine: endLine)
    }
    override func exec(_ f: Frame) throws -> Flow {
        for t in targets { try t.delete(f) }
        return .normal
    }
}

/// One `except` clause, compiled.
struct HandlerNode {
    let type: ExprNode?
    let target: TargetNode?
    let body: [StmtNode]
}

final class TryNode: StmtNode, @unchecked Sendable {
    let body: [StmtNode]
    let handlers: [HandlerNode]
    let orElse: [StmtNode]
    let finally: [StmtNode]
    init(_ body: [StmtNode], _ handlers: [HandlerNode], _ orElse: [StmtNode], _ finally: [StmtNode], _ p: SourcePosition, endLine: Int) {
        self.body = body
        self.handlers = handlers
        self.orElse = orElse
        self.finally = finally
        super.init(p, endLine: endLine)
    }

    override func exec(_ f: Frame) throws -> Flow {
        if finally.isEmpty { return try execHandlers(f) }
        let flow: Flow
        do {
            flow = try execHandlers(f)
        } catch {
            if error is GeneratorAbandoned { throw error }
            // `finally` runs; a return/break inside it replaces the exception, as in Python.
            let after = try runBlock(finally, f)
            if case .normal = after { throw error }
            return after
        }
        let after = try runBlock(finally, f)
        if case .normal = after { return flow }
        return after
    }

    func execHandlers(_ f: Frame) throws -> Flow {
        if handlers.isEmpty {
            let flow = try runBlock(body, f)
            if case .normal = flow { return try runBlock(orElse, f) }
            return flow
        }
        let flow: Flow
        do {
            flow = try runBlock(body, f)
        } catch let error as PyError {
            let exc = error.exception
            for h in handlers {
                if let typeNode = h.type {
                    let t = try typeNode.eval(f)
                    guard try f.ctx.exceptionMatches(exc, t) else { continue }
                }
                if let target = h.target { try target.assign(f, .object(exc)) }
                f.ctx.handling.append(exc)
                defer {
                    f.ctx.handling.removeLast()
                    if let target = h.target { try? target.delete(f) }
                }
                do {
                    return try runBlock(h.body, f)
                } catch let inner as PyError {
                    if inner.exception !== exc && inner.exception.context == nil { inner.exception.context = exc }
                    throw inner
                }
            }
            throw error
        }
        if case .normal = flow { return try runBlock(orElse, f) }
        return flow
    }
}

/// One `with` item, compiled.
struct WithItemNode {
    let manager: ExprNode
    let target: TargetNode?
}

final class WithNode: StmtNode, @unchecked Sendable {
    let items: [WithItemNode]
    let body: [StmtNode]
    let isAsync: Bool
    init(_ items: [WithItemNode], _ body: [StmtNode], isAsync: Bool, _ p: SourcePosition, endLine: Int) {
        self.items = items
        self.body = body
        self.isAsync = isAsync
        super.init(p, endLine: endLine)
    }

    override func exec(_ f: Frame) throws -> Flow { try enter(0, f) }

    func enter(_ index: Int, _ f: Frame) throws -> Flow {
        guard index < items.count else { return try runBlock(body, f) }
        let item = items[index]
        let manager = try item.manager.eval(f)
        let ctx = f.ctx
        // Native scoped managers (such as a settings scope) wrap the body in a closure.
        if case .object(let o) = manager, let scoped = o as? ScopedContextManager {
            var flow: Flow = .normal
            try scoped.withScope(ctx) { value in
                if let target = item.target { try target.assign(f, value) }
                flow = try enter(index + 1, f)
            }
            return flow
        }
        let enterName = isAsync ? "__aenter__" : "__enter__"
        let exitName = isAsync ? "__aexit__" : "__exit__"
        guard let enterMethod = ctx.special(manager, enterName), let exitMethod = ctx.special(manager, exitName) else {
            let what = isAsync ? "asynchronous context manager protocol" : "context manager protocol"
            let missing = ctx.special(manager, enterName) == nil ? enterName : exitName
            throw PyError.type("'\(manager.typeName)' object does not support the \(what) (missed \(missing) method)")
        }
        var entered = try ctx.callDescriptor(enterMethod, self: manager, Args())
        if isAsync { entered = try ctx.await(entered) }
        if let target = item.target { try target.assign(f, entered) }
        let flow: Flow
        do {
            flow = try enter(index + 1, f)
        } catch let error as PyError {
            let e = error.exception
            var suppress = try ctx.callDescriptor(exitMethod, self: manager, Args([.object(e.type), .object(e), .none]))
            if isAsync { suppress = try ctx.await(suppress) }
            if try ctx.truthy(suppress) { return .normal }
            throw error
        } catch {
            if error is GeneratorAbandoned { throw error }
            var r = try ctx.callDescriptor(exitMethod, self: manager, Args([.none, .none, .none]))
            if isAsync { r = try ctx.await(r) }
            _ = r
            throw error
        }
        let r = try ctx.callDescriptor(exitMethod, self: manager, Args([.none, .none, .none]))
        if isAsync { _ = try ctx.await(r) }
        return flow
    }
}

/// A native object usable in `with` that scopes the body in a closure (settings scopes).
public protocol ScopedContextManager: PyObject {
    /// Runs `body` inside the scope, passing the value bound by `as`.
    func withScope(_ ctx: ExecContext, _ body: (PyValue) throws -> Void) throws
}

final class DefNode: StmtNode, @unchecked Sendable {
    let make: MakeFunctionNode
    let decorators: [ExprNode]
    let target: TargetNode
    init(_ make: MakeFunctionNode, decorators: [ExprNode], target: TargetNode, _ p: SourcePosition, endLine: Int) {
        self.make = make
        self.decorators = decorators
        self.target = target
        super.init(p, endLine: endLine)
    }
    override func exec(_ f: Frame) throws -> Flow {
        let decos = try decorators.map { try $0.eval(f) }
        var fn = try make.eval(f)
        for d in decos.reversed() { fn = try f.ctx.call(d, Args([fn])) }
        try target.assign(f, fn)
        return .normal
    }
}

final class ClassNode: StmtNode, @unchecked Sendable {
    let name: String
    let qualname: String
    let bases: [ArgNode]
    let bodyCode: CodeObject
    let closureCells: [Int]
    let decorators: [ExprNode]
    let target: TargetNode
    init(
        name: String, qualname: String, bases: [ArgNode], bodyCode: CodeObject, closureCells: [Int], decorators: [ExprNode],
        target: TargetNode, _ p: SourcePosition, endLine: Int
    ) {
        self.name = name
        self.qualname = qualname
        self.bases = bases
        self.bodyCode = bodyCode
        self.closureCells = closureCells
        self.decorators = decorators
        self.target = target
        super.init(p, endLine: endLine)
    }

    override func exec(_ f: Frame) throws -> Flow {
        let ctx = f.ctx
        let decos = try decorators.map { try $0.eval(f) }
        let args = try evalArguments(bases, simple: false, f)
        var baseTypes: [PyType] = []
        for b in args.positional {
            guard case .object(let t as PyType) = b else {
                if let mro = try ctx.lookupAttr(b, "__mro_entries__") {
                    let entries = try ctx.iterateToArray(try ctx.call(mro, Args([.object(PyTuple(args.positional))])))
                    for e in entries { if case .object(let t as PyType) = e { baseTypes.append(t) } }
                    continue
                }
                throw PyError.type("bases must be types, not \(b.typeName)")
            }
            if t.isBuiltin && !t.native.subclassable {
                throw PyError.type("type '\(t.name)' is not an acceptable base type")
            }
            baseTypes.append(t)
        }
        if baseTypes.isEmpty { baseTypes = [Builtins.objectType] }
        let module = f.globals.get("__name__")?.stringValue ?? "__main__"
        let namespace = PyDict()
        namespace.setString("__module__", .str(module))
        namespace.setString("__qualname__", .str(qualname))
        let frame = Frame(code: bodyCode, ctx: ctx, globals: f.globals, classNamespace: namespace)
        frame.cells = bodyCode.cellNames.map { _ in Cell() } + closureCells.map { f.cells[$0] }
        _ = try runBlock(bodyCode.body, frame)
        let cls = try ctx.buildClass(
            name: name, qualname: qualname, bases: baseTypes, module: module, namespace: namespace,
            docstring: bodyCode.docstring, keywords: args.keywords)
        var value = PyValue.object(cls)
        for d in decos.reversed() { value = try ctx.call(d, Args([value])) }
        try target.assign(f, value)
        return .normal
    }
}

final class ImportNode: StmtNode, @unchecked Sendable {
    let names: [(name: String, target: TargetNode, bindsTop: Bool)]
    init(_ names: [(name: String, target: TargetNode, bindsTop: Bool)], _ p: SourcePosition, endLine: Int) {
        self.names = names
        super.init(p, endLine: endLine)
    }
    override func exec(_ f: Frame) throws -> Flow {
        for n in names {
            let module = try f.ctx.interpreter.importModule(n.name, f.ctx)
            if n.bindsTop {
                let top = String(n.name.split(separator: ".")[0])
                try n.target.assign(f, .object(try f.ctx.interpreter.importModule(top, f.ctx)))
            } else {
                try n.target.assign(f, .object(module))
            }
        }
        return .normal
    }
}

final class ImportFromNode: StmtNode, @unchecked Sendable {
    let module: String
    let names: [(name: String, target: TargetNode?)]
    init(_ module: String, _ names: [(name: String, target: TargetNode?)], _ p: SourcePosition, endLine: Int) {
        self.module = module
        self.names = names
        super.init(p, endLine: endLine)
    }
    override func exec(_ f: Frame) throws -> Flow {
        let m = try f.ctx.interpreter.importModule(module, f.ctx)
        for n in names {
            if n.name == "*" {
                for name in m.globals.names where !name.hasPrefix("_") {
                    if let v = m.globals.get(name) { f.globals.set(name, v) }
                }
                continue
            }
            guard let target = n.target else { continue }
            if let v = m.globals.get(n.name) {
                try target.assign(f, v)
            } else if let sub = try? f.ctx.interpreter.importModule(module + "." + n.name, f.ctx) {
                try target.assign(f, .object(sub))
            } else {
                throw PyError.importError("cannot import name '\(n.name)' from '\(module)'" + f.ctx.interpreter.availableNamesHint(m, n.name))
            }
        }
        return .normal
    }
}
