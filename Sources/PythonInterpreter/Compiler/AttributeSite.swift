/// An inline cache for one `obj.name` site in compiled code: the name's dict key (hashed once)
/// and what the class of the last object seen there says about the name, valid until any class
/// changes (``PyType/epoch``). Touched only under the interpreter lock, like the node that owns it.
struct AttributeSite {
    let name: String
    let key: PyKey
    private var type: PyType?
    private var epoch = -1
    /// The class attribute found along the MRO (nil: none).
    private var descriptor: PyValue?
    /// Whether the attribute can be read straight from the instance dict, then the class.
    private var simpleLoad = false
    /// Whether a store can go straight into the instance dict (no descriptor, no `__setattr__`).
    private var simpleStore = false

    init(_ name: String) {
        self.name = name
        self.key = PyKey(name)
    }

    private mutating func refresh(_ t: PyType, _ ctx: ExecContext) {
        type = t
        epoch = PyType.epoch
        descriptor = t.lookup(name)
        switch descriptor {
        case nil, .none?, .bool?, .int?, .float?, .str?:
            simpleLoad = true
        case .object(let d)?:
            simpleLoad = d is PyFunction
        }
        var storable = true
        if case .object(let d)? = descriptor {
            storable = !(d is PyNativeProperty || d is PyProperty || (!d.type.isBuiltin && d.type.lookup("__set__") != nil))
        }
        if !t.isBuiltin, let setter = t.lookup("__setattr__"), !ctx.isObjectSlot(setter, "__setattr__") { storable = false }
        if t.native.setAttribute != nil { storable = false }
        simpleStore = storable
    }

    /// `o.name` for an instance of a Python class, or nil when the general lookup is needed.
    mutating func load(_ o: PyInstance, _ ctx: ExecContext) -> PyValue? {
        let t: PyType = o.type
        if type !== t || epoch != PyType.epoch { refresh(t, ctx) }
        guard simpleLoad else { return nil }
        if let v = o.dict.get(key) { return v }
        guard let d = descriptor else { return nil }
        if case .object(let f as PyFunction) = d { return .object(PyBoundMethod(function: .object(f), receiver: .object(o))) }
        return d
    }

    /// The class attribute for a method call `o.name(...)` on an instance of a Python class, when
    /// the instance dict does not shadow it (nil: use the general path).
    mutating func method(_ o: PyInstance, _ ctx: ExecContext) -> PyValue? {
        let t: PyType = o.type
        if type !== t || epoch != PyType.epoch { refresh(t, ctx) }
        guard let d = descriptor, o.dict.get(key) == nil else { return nil }
        return d
    }

    /// `o.name = value` when it is a plain instance-dict store; false when the general path is needed.
    mutating func store(_ o: PyInstance, _ value: PyValue, _ ctx: ExecContext) -> Bool {
        let t: PyType = o.type
        if type !== t || epoch != PyType.epoch { refresh(t, ctx) }
        guard simpleStore else { return false }
        o.dict.set(key, value)
        ctx.interpreter.hooks.attributeSet?(ctx, o, name, value)
        return true
    }
}
