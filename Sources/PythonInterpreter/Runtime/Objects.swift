import Synchronization
import BigInt

/// The base of every heap-allocated Python object.
///
/// Sendable proof (for this class and every subclass): Python objects are read and written only
/// by the thread that holds the interpreter lock (``InterpreterLock``); every entry into Python
/// code (a statement, a coroutine, a call from the library into a Python function) acquires it
/// first, and any wait on other work releases it. Builtin type objects are built once and never
/// mutated afterwards.
open class PyObject: @unchecked Sendable {
    /// The object's class. Set once at creation (types get their metatype right after).
    public final var type: PyType!

    public init(type: PyType?) {
        self.type = type
    }

    /// The instance attribute dictionary, for objects that have one.
    open var instanceDict: PyDict? { nil }

    /// Calls the object. The default says it is not callable.
    open func call(_ ctx: ExecContext, _ args: Args) throws -> PyValue {
        throw PyError.type("'\(type.name)' object is not callable")
    }
}

/// Positional and keyword arguments of a call.
public struct Args: Sendable {
    public var positional: [PyValue]
    public var keywords: [(name: String, value: PyValue)]

    public init(_ positional: [PyValue] = [], keywords: [(name: String, value: PyValue)] = []) {
        self.positional = positional
        self.keywords = keywords
    }

    public var count: Int { positional.count }
    public subscript(i: Int) -> PyValue { positional[i] }

    public func keyword(_ name: String) -> PyValue? {
        for k in keywords where k.name == name { return k.value }
        return nil
    }

    public func prepending(_ first: PyValue) -> Args {
        var a = self
        a.positional.insert(first, at: 0)
        return a
    }
}

/// A big integer object (ints outside the machine range).
public final class PyBigInt: PyObject, @unchecked Sendable {
    public let value: BigInt
    public init(_ value: BigInt) {
        self.value = value
        super.init(type: Builtins.intType)
    }
}

/// A Python class: builtin, native (from an embedding library) or defined by user code.
public final class PyType: PyObject, @unchecked Sendable {
    public let name: String
    public var qualname: String
    public var module: String
    public internal(set) var bases: [PyType]
    public internal(set) var mro: [PyType]
    /// The class's attributes (methods, class variables, descriptors), in definition order.
    public let dict: PyDict
    /// True for types whose attributes Python code may not change (builtins and natives).
    public let isBuiltin: Bool
    public var doc: String?
    /// How a native type behaves; user classes inherit their nearest native base's behaviour.
    public var native: NativeBehavior

    /// Hooks a native type supplies.
    public struct NativeBehavior: Sendable {
        /// Called when the type itself is called (`int("3")`, `Exception("x")`). Subclasses
        /// created by user code allocate with ``makeInstance`` and then run `__init__` instead.
        public var construct: (@Sendable (ExecContext, PyType, Args) throws -> PyValue)?
        /// Allocates an instance of `cls` (a user subclass of this native type).
        public var makeInstance: (@Sendable (ExecContext, PyType) throws -> PyObject)?
        /// Runs when user code defines a subclass (after the class body has run).
        public var onSubclass: (@Sendable (ExecContext, PyType) throws -> Void)?
        /// Whether user code may subclass it.
        public var subclassable: Bool
        /// Attributes computed by the type when neither the class nor the instance has them
        /// (field access on records such as a prediction).
        public var getAttribute: (@Sendable (ExecContext, PyValue, String) throws -> PyValue?)?
        /// Stores an attribute; returns false to fall back to the instance dictionary.
        public var setAttribute: (@Sendable (ExecContext, PyValue, String, PyValue) throws -> Bool)?
        /// `repr(cls)` for the type and its subclasses (a metaclass `__repr__`).
        public var classRepr: (@Sendable (ExecContext, PyType) throws -> String)?

        public init(
            construct: (@Sendable (ExecContext, PyType, Args) throws -> PyValue)? = nil,
            makeInstance: (@Sendable (ExecContext, PyType) throws -> PyObject)? = nil,
            onSubclass: (@Sendable (ExecContext, PyType) throws -> Void)? = nil,
            subclassable: Bool = true,
            getAttribute: (@Sendable (ExecContext, PyValue, String) throws -> PyValue?)? = nil,
            setAttribute: (@Sendable (ExecContext, PyValue, String, PyValue) throws -> Bool)? = nil,
            classRepr: (@Sendable (ExecContext, PyType) throws -> String)? = nil
        ) {
            self.construct = construct
            self.makeInstance = makeInstance
            self.onSubclass = onSubclass
            self.subclassable = subclassable
            self.getAttribute = getAttribute
            self.setAttribute = setAttribute
            self.classRepr = classRepr
        }
    }

    /// Incremented whenever any class's attributes change, so method caches can check validity.
    /// Atomic: every interpreter of the process shares it (each under its own lock).
    static var epoch: Int { epochCounter.load(ordering: .relaxed) }
    private static let epochCounter = Atomic<Int>(0)
    static func classesChanged() { epochCounter.add(1, ordering: .relaxed) }

    public init(
        name: String, bases: [PyType], module: String = "builtins", isBuiltin: Bool = true, doc: String? = nil,
        native: NativeBehavior = NativeBehavior()
    ) {
        self.name = name
        self.qualname = name
        self.module = module
        self.bases = bases
        self.mro = []
        self.dict = PyDict(bootstrap: ())
        self.isBuiltin = isBuiltin
        self.doc = doc
        self.native = native
        super.init(type: nil)
        mro = [self]
        if !bases.isEmpty { mro = (try? PyType.linearize(self, bases)) ?? ([self] + bases) }
    }

    /// Builds a user class, computing its C3 method resolution order.
    public static func userClass(name: String, qualname: String, bases: [PyType], module: String) throws -> PyType {
        let t = PyType(name: name, bases: bases, module: module, isBuiltin: false)
        t.qualname = qualname
        t.mro = try linearize(t, bases)
        var native = NativeBehavior()
        for b in t.mro.dropFirst() {
            if native.makeInstance == nil { native.makeInstance = b.native.makeInstance }
            if native.onSubclass == nil { native.onSubclass = b.native.onSubclass }
            if native.getAttribute == nil { native.getAttribute = b.native.getAttribute }
            if native.setAttribute == nil { native.setAttribute = b.native.setAttribute }
            if native.classRepr == nil { native.classRepr = b.native.classRepr }
        }
        native.subclassable = true
        t.native = native
        t.type = Builtins.typeType
        return t
    }

    /// C3 linearization, with CPython's error for an inconsistent hierarchy.
    static func linearize(_ cls: PyType, _ bases: [PyType]) throws -> [PyType] {
        var sequences = bases.map(\.mro) + [bases]
        var result: [PyType] = [cls]
        while true {
            sequences.removeAll { $0.isEmpty }
            if sequences.isEmpty { return result }
            var candidate: PyType?
            for seq in sequences {
                let head = seq[0]
                if !sequences.contains(where: { $0.dropFirst().contains { $0 === head } }) {
                    candidate = head
                    break
                }
            }
            guard let next = candidate else {
                let names = bases.map(\.name).joined(separator: ", ")
                throw PyError.type("Cannot create a consistent method resolution order (MRO) for bases \(names)")
            }
            result.append(next)
            for i in sequences.indices where sequences[i].first === next { sequences[i].removeFirst() }
        }
    }

    /// Looks `name` up along the MRO.
    public func lookup(_ name: String) -> PyValue? {
        for t in mro {
            if let v = t.dict.getString(name) { return v }
        }
        return nil
    }

    public func isSubtype(of other: PyType) -> Bool {
        if self === other { return true }
        return mro.contains { $0 === other }
    }

    /// Sets an attribute defined by the embedding code (methods, properties, constants).
    public func define(_ name: String, _ value: PyValue) {
        dict.setString(name, value)
        PyType.classesChanged()
    }

    /// Sets an attribute from Python code.
    func setAttribute(_ name: String, _ value: PyValue) throws {
        if isBuiltin { throw PyError.type("cannot set '\(name)' attribute of immutable type '\(self.name)'") }
        dict.setString(name, value)
        PyType.classesChanged()
    }

    func deleteAttribute(_ name: String) throws {
        if isBuiltin { throw PyError.type("cannot delete '\(name)' attribute of immutable type '\(self.name)'") }
        guard dict.removeString(name) != nil else {
            throw PyError.attribute("type object '\(self.name)' has no attribute '\(name)'")
        }
        PyType.classesChanged()
    }

    /// The native type whose instance layout this class uses.
    var nativeBase: PyType {
        mro.first { $0.isBuiltin } ?? Builtins.objectType
    }

    public override func call(_ ctx: ExecContext, _ args: Args) throws -> PyValue {
        try ctx.construct(self, args)
    }

    public var displayName: String {
        module == "builtins" ? qualname : "\(module).\(qualname)"
    }
}

/// An instance of a user-defined class (or of a native class that keeps a `__dict__`).
open class PyInstance: PyObject, @unchecked Sendable {
    public let dict = PyDict()
    public override var instanceDict: PyDict? { dict }

    public init(cls: PyType) {
        super.init(type: cls)
    }

    public override func call(_ ctx: ExecContext, _ args: Args) throws -> PyValue {
        guard let method = type.lookup("__call__") else {
            throw PyError.type("'\(type.name)' object is not callable")
        }
        return try ctx.callDescriptor(method, self: .object(self), args)
    }
}

/// A list.
public final class PyList: PyObject, @unchecked Sendable {
    public var items: [PyValue]
    /// The attribute dict of an instance of a user subclass (nil for plain lists).
    var attributes: PyDict?
    public init(_ items: [PyValue] = []) {
        self.items = items
        super.init(type: Builtins.listType)
    }
    deinit {
        if !items.isEmpty { Trashcan.dispose(Swift.exchange(&items, with: [])) }
    }
    public override var instanceDict: PyDict? { attributes }
}

/// A tuple.
public final class PyTuple: PyObject, @unchecked Sendable {
    public private(set) var items: [PyValue]
    /// The attribute dict of an instance of a user subclass (nil for plain tuples).
    var attributes: PyDict?
    public init(_ items: [PyValue]) {
        self.items = items
        super.init(type: Builtins.tupleType)
    }
    deinit {
        if !items.isEmpty { Trashcan.dispose(Swift.exchange(&items, with: [])) }
    }
    public override var instanceDict: PyDict? { attributes }
    static let empty = PyTuple([])
}

/// `range(start, stop, step)`.
public final class PyRange: PyObject, @unchecked Sendable {
    public let start: Int, stop: Int, step: Int
    public init(start: Int, stop: Int, step: Int) {
        self.start = start
        self.stop = stop
        self.step = step
        super.init(type: Builtins.rangeType)
    }

    public var count: Int {
        if step > 0 {
            guard start < stop else { return 0 }
            return Int((UInt(bitPattern: stop &- start) &- 1) / UInt(step)) + 1
        }
        guard start > stop else { return 0 }
        return Int((UInt(bitPattern: start &- stop) &- 1) / UInt(bitPattern: -step)) + 1
    }

    public func element(_ i: Int) -> Int { start &+ i &* step }
}

/// `slice(start, stop, step)`.
public final class PySlice: PyObject, @unchecked Sendable {
    public let start: PyValue, stop: PyValue, step: PyValue
    public init(_ start: PyValue, _ stop: PyValue, _ step: PyValue) {
        self.start = start
        self.stop = stop
        self.step = step
        super.init(type: Builtins.sliceType)
    }
}

/// A module object: a namespace with a name.
public final class PyModule: PyObject, @unchecked Sendable {
    public let name: String
    public let globals: Globals
    public var doc: String?

    public init(name: String, doc: String? = nil) {
        self.name = name
        self.globals = Globals()
        self.doc = doc
        super.init(type: Builtins.moduleType)
        globals.set("__name__", .str(name))
        globals.set("__doc__", doc.map { .str($0) } ?? .none)
    }

    public func define(_ name: String, _ value: PyValue) { globals.set(name, value) }
}

/// A module's global variables: cells by name, so compiled code can keep a direct reference.
public final class Globals: @unchecked Sendable {
    // Sendable proof: accessed only under the interpreter lock, as every Python object.
    private(set) var cells: [String: Cell] = [:]
    private(set) var order: [String] = []

    public init() {}

    /// The cell for `name`, created (unbound) if needed.
    public func cell(_ name: String) -> Cell {
        if let c = cells[name] { return c }
        let c = Cell()
        cells[name] = c
        return c
    }

    public func get(_ name: String) -> PyValue? { cells[name]?.value }

    public func set(_ name: String, _ value: PyValue) {
        let c = cell(name)
        if c.value == nil {
            order.removeAll { $0 == name }
            order.append(name)
        }
        c.value = value
    }

    @discardableResult
    public func remove(_ name: String) -> PyValue? {
        guard let c = cells[name], let v = c.value else { return nil }
        c.value = nil
        order.removeAll { $0 == name }
        return v
    }

    /// Bound names in definition order.
    public var names: [String] { order.filter { cells[$0]?.value != nil } }

    public func removeAll(keeping keep: Set<String>) {
        for (name, c) in cells where !keep.contains(name) { c.value = nil }
        order = order.filter { keep.contains($0) }
    }
}

/// A function or lambda defined in Python code.
public final class PyFunction: PyObject, @unchecked Sendable {
    public let code: CodeObject
    public let globals: Globals
    public var defaults: [PyValue]
    public var keywordDefaults: [String: PyValue]
    public let closure: [Cell]
    public var name: String
    public var qualname: String
    public var doc: PyValue
    public var annotations: PyDict
    public let dict = PyDict()
    public var module: String
    /// The class whose body defined this function (for zero-argument `super()`).
    public var definingClass: PyType?

    init(
        code: CodeObject, globals: Globals, defaults: [PyValue], keywordDefaults: [String: PyValue], closure: [Cell],
        annotations: PyDict, module: String
    ) {
        self.code = code
        self.globals = globals
        self.defaults = defaults
        self.keywordDefaults = keywordDefaults
        self.closure = closure
        self.name = code.name
        self.qualname = code.qualname
        self.doc = code.docstring.map { .str($0) } ?? .none
        self.annotations = annotations
        self.module = module
        super.init(type: Builtins.functionType)
    }

    public override var instanceDict: PyDict? { dict }

    public var isAsync: Bool { code.isAsync }

    public override func call(_ ctx: ExecContext, _ args: Args) throws -> PyValue {
        try ctx.callFunction(self, args)
    }
}

/// A function implemented in Swift.
public final class PyBuiltinFunction: PyObject, @unchecked Sendable {
    public typealias Body = @Sendable (ExecContext, Args) throws -> PyValue
    public let name: String
    public let doc: String
    /// The call signature shown by `help`, e.g. `len(obj, /)`.
    public let signature: String
    let body: Body
    /// The module or type it belongs to (for its repr).
    public let owner: String?

    public init(_ name: String, signature: String? = nil, doc: String = "", owner: String? = nil, _ body: @escaping Body) {
        self.name = name
        self.doc = doc
        self.signature = signature ?? "\(name)(...)"
        self.body = body
        self.owner = owner
        super.init(type: Builtins.builtinFunctionType)
    }

    public override func call(_ ctx: ExecContext, _ args: Args) throws -> PyValue {
        try body(ctx, args)
    }
}

/// A method of a native type, implemented in Swift; bound to `self` on attribute access.
public final class PyNativeMethod: PyObject, @unchecked Sendable {
    public typealias Body = @Sendable (ExecContext, PyValue, Args) throws -> PyValue
    public let name: String
    public let doc: String
    public let signature: String
    let body: Body

    public init(_ name: String, signature: String? = nil, doc: String = "", _ body: @escaping Body) {
        self.name = name
        self.doc = doc
        self.signature = signature ?? "\(name)(...)"
        self.body = body
        super.init(type: Builtins.methodDescriptorType)
    }

    /// Called through the class: the first argument is `self`.
    public override func call(_ ctx: ExecContext, _ args: Args) throws -> PyValue {
        guard let first = args.positional.first else {
            throw PyError.type("unbound method \(name)() needs an argument")
        }
        var rest = args
        rest.positional.removeFirst()
        return try body(ctx, first.unboxed, rest)
    }
}

/// A native attribute computed on access (and optionally settable).
public final class PyNativeProperty: PyObject, @unchecked Sendable {
    public typealias Getter = @Sendable (ExecContext, PyValue) throws -> PyValue
    public typealias Setter = @Sendable (ExecContext, PyValue, PyValue) throws -> Void
    public let name: String
    public let doc: String
    let get: Getter
    let set: Setter?

    public init(_ name: String, doc: String = "", get: @escaping Getter, set: Setter? = nil) {
        self.name = name
        self.doc = doc
        self.get = get
        self.set = set
        super.init(type: Builtins.getSetDescriptorType)
    }
}

/// A function bound to an instance (`obj.method`).
public final class PyBoundMethod: PyObject, @unchecked Sendable {
    public let function: PyValue
    public let receiver: PyValue
    public init(function: PyValue, receiver: PyValue) {
        self.function = function
        self.receiver = receiver
        super.init(type: Builtins.methodType)
    }

    public override func call(_ ctx: ExecContext, _ args: Args) throws -> PyValue {
        switch function {
        case .object(let f as PyNativeMethod):
            return try f.body(ctx, receiver.unboxed, args)
        case .object(let f as PyFunction):
            return try ctx.callFunction(f, args.prepending(receiver))
        default:
            return try ctx.call(function, args.prepending(receiver))
        }
    }
}

/// `property(fget, fset, fdel, doc)`.
public final class PyProperty: PyObject, @unchecked Sendable {
    public var fget: PyValue
    public var fset: PyValue
    public var fdel: PyValue
    public var doc: PyValue
    public init(fget: PyValue, fset: PyValue = .none, fdel: PyValue = .none, doc: PyValue = .none) {
        self.fget = fget
        self.fset = fset
        self.fdel = fdel
        self.doc = doc
        super.init(type: Builtins.propertyType)
    }
}

/// An attribute of a class computed from the class itself (a metaclass property, such as a
/// signature's `instructions`).
public final class PyClassProperty: PyObject, @unchecked Sendable {
    // Sendable proof: immutable after init.
    public let name: String
    public let doc: String
    let get: @Sendable (ExecContext, PyType) throws -> PyValue
    public init(_ name: String, doc: String = "", get: @escaping @Sendable (ExecContext, PyType) throws -> PyValue) {
        self.name = name
        self.doc = doc
        self.get = get
        super.init(type: Builtins.getSetDescriptorType)
    }
}

/// `staticmethod(f)`.
public final class PyStaticMethod: PyObject, @unchecked Sendable {
    public let function: PyValue
    public init(_ function: PyValue) {
        self.function = function
        super.init(type: Builtins.staticMethodType)
    }
    public override func call(_ ctx: ExecContext, _ args: Args) throws -> PyValue { try ctx.call(function, args) }
}

/// `classmethod(f)`.
public final class PyClassMethod: PyObject, @unchecked Sendable {
    public let function: PyValue
    public init(_ function: PyValue) {
        self.function = function
        super.init(type: Builtins.classMethodType)
    }
}

/// `super()` / `super(cls, obj)`.
public final class PySuper: PyObject, @unchecked Sendable {
    public let startAfter: PyType
    public let receiver: PyValue
    public init(startAfter: PyType, receiver: PyValue) {
        self.startAfter = startAfter
        self.receiver = receiver
        super.init(type: Builtins.superType)
    }
}

/// An object of a native type that wraps a Swift value (an LM, a module, a prediction...).
open class PyNativeObject<Payload>: PyInstance, @unchecked Sendable {
    public var payload: Payload
    public init(type: PyType, payload: Payload) {
        self.payload = payload
        super.init(cls: type)
    }
}

/// Singletons: `NotImplemented` and `Ellipsis`.
public final class PySingleton: PyObject, @unchecked Sendable {
    public let name: String
    init(name: String, type: PyType) {
        self.name = name
        super.init(type: type)
    }
}
