extension ExecContext {
    /// `obj.name`.
    public func getAttr(_ v: PyValue, _ name: String) throws -> PyValue {
        if let r = try lookupAttr(v, name, userGetattrErrors: true) { return r }
        throw attributeError(v, name)
    }

    /// `getattr(obj, name, None)`-style lookup: nil when the attribute does not exist.
    public func lookupAttr(_ v: PyValue, _ name: String) throws -> PyValue? {
        try lookupAttr(v, name, userGetattrErrors: false)
    }

    /// With `userGetattrErrors`, the AttributeError a user `__getattr__` raises propagates
    /// (with its own message) instead of meaning "not found".
    func lookupAttr(_ v: PyValue, _ name: String, userGetattrErrors: Bool) throws -> PyValue? {
        if case .object(let o) = v {
            if let t = o as? PyType { return try typeAttr(t, name) }
            if let m = o as? PyModule {
                if let x = m.globals.get(name) { return x }
                if name == "__dict__" { return .object(globalsDict(m.globals)) }
                return nil
            }
            if let s = o as? PySuper { return try superAttr(s, name) }
        }
        let type = v.type
        let descr = type.lookup(name)
        var userGet: PyValue?
        if case .object(let d)? = descr {
            if let p = d as? PyNativeProperty { return try p.get(self, v.unboxed) }
            if let p = d as? PyProperty {
                guard !p.fget.isNone else { throw PyError.attribute("property '\(name)' of '\(type.name)' object has no getter") }
                return try call(p.fget, Args([v]))
            }
            // A descriptor defined in Python: a data descriptor (with __set__ or __delete__)
            // wins over the instance dict; a plain __get__ applies after it.
            if !d.type.isBuiltin, let get = d.type.lookup("__get__") {
                if d.type.lookup("__set__") != nil || d.type.lookup("__delete__") != nil {
                    return try callDescriptor(get, self: .object(d), Args([v, .object(type)]))
                }
                userGet = get
            }
        }
        if case .object(let o) = v, let dict = o.instanceDict, let x = dict.getString(name) { return x }
        if let userGet, let descr { return try callDescriptor(userGet, self: descr, Args([v, .object(type)])) }
        if let descr { return bind(descr, to: v, type: type) }
        switch name {
        case "__class__": return .object(type)
        case "__dict__":
            if case .object(let o) = v, let d = o.instanceDict { return .object(d) }
        case "__doc__":
            return type.doc.map { .str($0) } ?? PyValue.none
        case "__name__", "__qualname__":
            if case .object(let f as PyFunction) = v { return .str(name == "__name__" ? f.name : f.qualname) }
            if case .object(let f as PyBuiltinFunction) = v { return .str(f.name) }
        default: break
        }
        if let computed = type.native.getAttribute, let v = try computed(self, v, name) { return v }
        if !type.isBuiltin, let getattr = type.lookup("__getattr__") {
            if userGetattrErrors { return try callDescriptor(getattr, self: v, Args([.str(name)])) }
            do {
                return try callDescriptor(getattr, self: v, Args([.str(name)]))
            } catch let e as PyError where e.isInstance(of: Builtins.attributeErrorType) {
                return nil
            }
        }
        return nil
    }

    func attributeError(_ v: PyValue, _ name: String) -> PyError {
        if case .object(let o) = v {
            if let t = o as? PyType { return PyError.attribute("type object '\(t.name)' has no attribute '\(name)'") }
            if let m = o as? PyModule { return PyError.attribute("module '\(m.name)' has no attribute '\(name)'") }
        }
        return PyError.attribute("'\(v.typeName)' object has no attribute '\(name)'")
    }

    /// A class attribute as seen through an instance: functions become bound methods.
    func bind(_ descr: PyValue, to receiver: PyValue, type: PyType) -> PyValue {
        guard case .object(let d) = descr else { return descr }
        switch d {
        case is PyFunction, is PyNativeMethod:
            return .object(PyBoundMethod(function: descr, receiver: receiver))
        case let c as PyClassMethod:
            return .object(PyBoundMethod(function: c.function, receiver: .object(type)))
        case let s as PyStaticMethod:
            return s.function
        default:
            return descr
        }
    }

    func typeAttr(_ t: PyType, _ name: String) throws -> PyValue? {
        // Data descriptors of the metatype win over the class's own dict (`function.__name__`
        // is a descriptor for function objects, but `type(f).__name__` is the type's name).
        switch name {
        case "__name__": return .str(t.name)
        case "__qualname__": return .str(t.qualname)
        case "__mro__": return .object(PyTuple(t.mro.map { .object($0) }))
        case "__bases__": return .object(PyTuple(t.bases.map { .object($0) }))
        case "__base__": return t.bases.first.map { .object($0) } ?? PyValue.none
        case "__class__": return .object(t.type)
        case "__doc__":
            if let v = t.dict.getString("__doc__"), !(v.as(PyNativeProperty.self) != nil) { return v }
            return t.doc.map { .str($0) } ?? PyValue.none
        case "__module__":
            if let v = t.dict.getString("__module__"), !(v.as(PyNativeProperty.self) != nil) { return v }
            return .str(t.module)
        default: break
        }
        if let v = t.lookup(name) {
            if case .object(let d) = v {
                if let c = d as? PyClassMethod { return .object(PyBoundMethod(function: c.function, receiver: .object(t))) }
                if let s = d as? PyStaticMethod { return s.function }
                if let p = d as? PyClassProperty { return try p.get(self, t) }
                if !d.type.isBuiltin, !(d is PyType), let get = d.type.lookup("__get__") {
                    return try callDescriptor(get, self: v, Args([.none, .object(t)]))
                }
            }
            return v
        }
        switch name {
        case "__name__": return .str(t.name)
        case "__qualname__": return .str(t.qualname)
        case "__module__": return .str(t.module)
        case "__doc__": return t.doc.map { .str($0) } ?? PyValue.none
        case "__mro__": return .object(PyTuple(t.mro.map { .object($0) }))
        case "__bases__": return .object(PyTuple(t.bases.map { .object($0) }))
        case "__base__": return t.bases.first.map { .object($0) } ?? PyValue.none
        case "__dict__":
            if t.dict.type == nil { t.dict.type = Builtins.dictType }
            return .object(t.dict.copy())
        case "__class__": return .object(t.type)
        default: break
        }
        // Methods of the metatype (`cls.mro()`).
        if let m = Builtins.typeType.lookup(name) { return bind(m, to: .object(t), type: Builtins.typeType) }
        return nil
    }

    func superAttr(_ s: PySuper, _ name: String) throws -> PyValue? {
        let objType: PyType
        if case .object(let t as PyType) = s.receiver, t.isSubtype(of: s.startAfter) {
            objType = t
        } else {
            objType = s.receiver.type
        }
        let mro = objType.mro
        guard let start = mro.firstIndex(where: { $0 === s.startAfter }) else { return nil }
        for t in mro[(start + 1)...] {
            guard let v = t.dict.getString(name) else { continue }
            if case .object(let d) = v {
                if let c = d as? PyClassMethod { return .object(PyBoundMethod(function: c.function, receiver: .object(objType))) }
                if let st = d as? PyStaticMethod { return st.function }
                if let p = d as? PyProperty { return try call(p.fget, Args([s.receiver])) }
                if let p = d as? PyNativeProperty { return try p.get(self, s.receiver.unboxed) }
            }
            if case .object(let recvType as PyType) = s.receiver, recvType === objType { return v }
            return bind(v, to: s.receiver, type: objType)
        }
        return nil
    }

    /// `obj.name = value`.
    public func setAttr(_ target: PyValue, _ name: String, _ value: PyValue) throws {
        guard case .object(let o) = target else {
            throw PyError.attribute("'\(target.typeName)' object has no attribute '\(name)'")
        }
        if let t = o as? PyType {
            try t.setAttribute(name, value)
            return
        }
        if let m = o as? PyModule {
            m.globals.set(name, value)
            return
        }
        let type = o.type!
        if case .object(let d)? = type.lookup(name) {
            if let p = d as? PyNativeProperty {
                guard let set = p.set else { throw PyError.attribute("property '\(name)' of '\(type.name)' object has no setter") }
                try set(self, target, value)
                return
            }
            if let p = d as? PyProperty {
                guard !p.fset.isNone else { throw PyError.attribute("property '\(name)' of '\(type.name)' object has no setter") }
                _ = try call(p.fset, Args([target, value]))
                return
            }
            if !d.type.isBuiltin, let set = d.type.lookup("__set__") {
                _ = try callDescriptor(set, self: .object(d), Args([target, value]))
                return
            }
        }
        if let store = type.native.setAttribute, try store(self, target, name, value) { return }
        if !type.isBuiltin, let setter = type.lookup("__setattr__"), !isObjectSlot(setter, "__setattr__") {
            _ = try callDescriptor(setter, self: target, Args([.str(name), value]))
            return
        }
        try storeInstanceAttribute(o, name, value)
    }

    /// Stores into the instance dictionary (`object.__setattr__`).
    func storeInstanceAttribute(_ o: PyObject, _ name: String, _ value: PyValue) throws {
        if let f = o as? PyFunction {
            switch name {
            case "__doc__": f.doc = value; return
            case "__name__": if case .str(let s) = value { f.name = s }; return
            case "__qualname__": if case .str(let s) = value { f.qualname = s }; return
            default: break
            }
        }
        guard let dict = o.instanceDict else {
            if o.type.lookup(name) != nil {
                throw PyError.attribute("'\(o.type.name)' object attribute '\(name)' is read-only")
            }
            throw PyError.attribute("'\(o.type.name)' object has no attribute '\(name)'")
        }
        dict.setString(name, value)
        interpreter.hooks.attributeSet?(self, o, name, value)
    }

    /// `del obj.name`.
    public func delAttr(_ target: PyValue, _ name: String) throws {
        guard case .object(let o) = target else { throw attributeError(target, name) }
        if let t = o as? PyType { try t.deleteAttribute(name); return }
        if let m = o as? PyModule {
            guard m.globals.remove(name) != nil else { throw attributeError(target, name) }
            return
        }
        if case .object(let p as PyProperty)? = o.type.lookup(name) {
            guard !p.fdel.isNone else { throw PyError.attribute("property '\(name)' of '\(o.type.name)' object has no deleter") }
            _ = try call(p.fdel, Args([target]))
            return
        }
        if !o.type.isBuiltin, let deleter = o.type.lookup("__delattr__"), !isObjectSlot(deleter, "__delattr__") {
            _ = try callDescriptor(deleter, self: target, Args([.str(name)]))
            return
        }
        guard let dict = o.instanceDict, dict.removeString(name) != nil else { throw attributeError(target, name) }
    }

    func isObjectSlot(_ v: PyValue, _ name: String) -> Bool {
        guard case .object(let a) = v, case .object(let b)? = Builtins.objectType.dict.getString(name) else { return false }
        return a === b
    }

    /// A snapshot of a module's globals as a dict (`globals()`, `module.__dict__`).
    func globalsDict(_ g: Globals) -> PyDict {
        let d = PyDict()
        for name in g.names { if let v = g.get(name) { d.setString(name, v) } }
        return d
    }

    /// The attribute names `dir(obj)` lists: the instance's and every class's along the MRO.
    public func dir(_ v: PyValue) -> [String] {
        var names = Set<String>()
        if case .object(let o) = v {
            if let m = o as? PyModule { return m.globals.names.sorted() }
            if let t = o as? PyType {
                for c in t.mro { for k in c.dict.keyList { if case .str(let s) = k { names.insert(s) } } }
                return names.sorted()
            }
            if let d = o.instanceDict { for k in d.keyList { if case .str(let s) = k { names.insert(s) } } }
        }
        for c in v.type.mro { for k in c.dict.keyList { if case .str(let s) = k { names.insert(s) } } }
        names.insert("__class__")
        return names.sorted()
    }
}
