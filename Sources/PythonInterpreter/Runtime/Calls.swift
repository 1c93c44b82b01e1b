extension ExecContext {
    /// Calls any callable value.
    public func call(_ callee: PyValue, _ args: Args) throws -> PyValue {
        guard case .object(let o) = callee else {
            throw PyError.type("'\(callee.typeName)' object is not callable")
        }
        return try o.call(self, args)
    }

    public func call(_ callee: PyValue, _ positional: PyValue...) throws -> PyValue {
        try call(callee, Args(positional))
    }

    /// Calls a class attribute as a method of `receiver` (dunder dispatch).
    func callDescriptor(_ descr: PyValue, self receiver: PyValue, _ args: Args) throws -> PyValue {
        if case .object(let d) = descr {
            if let f = d as? PyFunction { return try callFunction(f, args.prepending(receiver)) }
            if let m = d as? PyNativeMethod { return try m.body(self, receiver.unboxed, args) }
            if let s = d as? PyStaticMethod { return try call(s.function, args) }
            if let c = d as? PyClassMethod { return try call(c.function, args.prepending(.object(receiver.type))) }
        }
        return try call(descr, args)
    }

    /// Looks up a special method on the value's class (never the instance), as Python does.
    func special(_ v: PyValue, _ name: String) -> PyValue? {
        v.type.lookup(name)
    }

    /// Calls `type(v).name(v, args...)` if the class defines it.
    func callSpecial(_ v: PyValue, _ name: String, _ args: PyValue...) throws -> PyValue? {
        guard let m = special(v, name) else { return nil }
        return try callDescriptor(m, self: v, Args(args))
    }

    /// `cls(*args, **kwargs)`.
    func construct(_ cls: PyType, _ args: Args) throws -> PyValue {
        if cls === Builtins.typeType {
            if args.count == 1 && args.keywords.isEmpty { return .object(args[0].type) }
            if args.count == 3 { return try makeClassFromType(args) }
            throw PyError.type("type() takes 1 or 3 arguments")
        }
        if cls.isBuiltin, let construct = cls.native.construct {
            return try construct(self, cls, args)
        }
        let instance: PyValue
        if let newMethod = cls.lookup("__new__"), !isObjectSlot(newMethod, "__new__"), !cls.isBuiltin {
            instance = try callDescriptor(newMethod, self: .object(cls), args.prepending(.object(cls)))
            guard instance.type.isSubtype(of: cls) else { return instance }
        } else if let make = cls.native.makeInstance {
            instance = .object(try make(self, cls))
        } else if cls.isBuiltin {
            throw PyError.type("cannot create '\(cls.displayName)' instances")
        } else {
            instance = .object(PyInstance(cls: cls))
        }
        if let initMethod = cls.lookup("__init__") {
            if isObjectSlot(initMethod, "__init__") {
                if !args.positional.isEmpty || !args.keywords.isEmpty, cls.lookup("__new__").map({ isObjectSlot($0, "__new__") }) ?? true {
                    throw PyError.type("\(cls.name)() takes no arguments")
                }
            } else {
                let r = try callDescriptor(initMethod, self: instance, args)
                if !r.isNone { throw PyError.type("__init__() should return None, not '\(r.typeName)'") }
            }
        }
        return instance
    }

    func makeClassFromType(_ args: Args) throws -> PyValue {
        guard case .str(let name) = args[0] else { throw PyError.type("type.__new__() argument 1 must be str, not \(args[0].typeName)") }
        var bases: [PyType] = []
        if case .object(let t as PyTuple) = args[1] {
            for b in t.items {
                guard case .object(let bt as PyType) = b else { throw PyError.type("bases must be types") }
                bases.append(bt)
            }
        }
        if bases.isEmpty { bases = [Builtins.objectType] }
        for t in bases where t.isBuiltin && !t.native.subclassable {
            throw PyError.type("type '\(t.name)' is not an acceptable base type")
        }
        guard let namespace = args[2].as(PyDict.self) else {
            throw PyError.type("type.__new__() argument 3 must be dict, not \(args[2].typeName)")
        }
        let module = namespace.getString("__module__")?.stringValue ?? "__main__"
        let qualname = namespace.getString("__qualname__")?.stringValue ?? name
        return .object(
            try buildClass(
                name: name, qualname: qualname, bases: bases, module: module, namespace: namespace,
                docstring: nil, keywords: args.keywords))
    }

    /// Creates a class from its executed body (a `class` statement, or `type(name, bases, ns)`):
    /// CPython's implicit wrappers, `__set_name__`, and `__init_subclass__` of the bases.
    func buildClass(
        name: String, qualname: String, bases: [PyType], module: String, namespace: PyDict,
        docstring: String?, keywords: [(name: String, value: PyValue)]
    ) throws -> PyType {
        let cls = try PyType.userClass(name: name, qualname: qualname, bases: bases, module: module)
        if let doc = docstring { cls.doc = doc }
        var named: [(String, PyValue)] = []
        for (k, var v) in namespace.pairs {
            guard case .str(let key) = k.value else { continue }
            // As in CPython, these are implicitly a classmethod and a staticmethod.
            if case .object(let fn as PyFunction) = v {
                if key == "__init_subclass__" || key == "__class_getitem__" { v = .object(PyClassMethod(.object(fn))) }
                if key == "__new__" { v = .object(PyStaticMethod(.object(fn))) }
            }
            if key == "__doc__", case .str(let d) = v { cls.doc = d }
            cls.define(key, v)
            switch v {
            case .object(let fn as PyFunction): fn.definingClass = cls
            case .object(let sm as PyStaticMethod): sm.function.as(PyFunction.self)?.definingClass = cls
            case .object(let cm as PyClassMethod): cm.function.as(PyFunction.self)?.definingClass = cls
            case .object(let p as PyProperty):
                for part in [p.fget, p.fset, p.fdel] { part.as(PyFunction.self)?.definingClass = cls }
            default: break
            }
            named.append((key, v))
        }
        if cls.doc == nil && cls.dict.getString("__doc__") == nil { cls.define("__doc__", .none) }
        if let hook = cls.native.onSubclass { try hook(self, cls) }
        for (key, v) in named {
            if case .object(let o) = v, !o.type.isBuiltin, let setName = o.type.lookup("__set_name__") {
                _ = try callDescriptor(setName, self: v, Args([.object(cls), .str(key)]))
            }
        }
        // `super(cls, cls).__init_subclass__(**kwargs)`, as type.__new__ does.
        if let initSubclass = try superAttr(PySuper(startAfter: cls, receiver: .object(cls)), "__init_subclass__") {
            _ = try call(initSubclass, Args([], keywords: keywords))
        }
        return cls
    }

    // MARK: Python functions

    /// Calls a Python function: binds the arguments, then runs the body (or makes a generator
    /// or coroutine object for `yield` and `async def` functions).
    func callFunction(_ f: PyFunction, _ args: Args) throws -> PyValue {
        let code = f.code
        let frame = Frame(code: code, ctx: self, globals: f.globals, function: f)
        try bindArguments(f, args, into: frame)
        if !code.cellNames.isEmpty || !f.closure.isEmpty {
            var cells: [Cell] = []
            cells.reserveCapacity(code.cellNames.count + f.closure.count)
            for seed in code.cellSeeds {
                if let slot = seed { cells.append(Cell(frame.locals[slot])) } else { cells.append(Cell()) }
            }
            cells.append(contentsOf: f.closure)
            frame.cells = cells
        }
        if code.isGenerator {
            return .object(PyGenerator(frame: frame, function: f, isAsync: code.isAsync))
        }
        if code.isAsync {
            return .object(PyCoroutine(frame: frame, function: f))
        }
        return try runFrame(frame)
    }

    /// Runs a function frame's body to its return value.
    func runFrame(_ frame: Frame) throws -> PyValue {
        try enterCall()
        defer { leaveCall() }
        for stmt in frame.code.body {
            let flow: Flow
            do {
                flow = try stmt.exec(frame)
            } catch let e as PyError {
                e.exception.note(frame: frame, position: stmt.position)
                throw e
            }
            switch flow {
            case .normal: continue
            case .returnValue(let v): return v
            case .breakLoop, .continueLoop: continue
            }
        }
        return .none
    }

    func bindArguments(_ f: PyFunction, _ args: Args, into frame: Frame) throws {
        let spec = f.code.parameters
        let positional = args.positional
        // Fast path: exactly the positional parameters, nothing else.
        if args.keywords.isEmpty, positional.count == spec.positionalCount, spec.varArgsSlot == nil,
            spec.keywordOnlyCount == 0, spec.varKeywordsSlot == nil
        {
            for i in 0..<positional.count { frame.locals[i] = positional[i] }
            return
        }
        let name = f.qualname
        let given = positional.count
        let bound = min(given, spec.positionalCount)
        for i in 0..<bound { frame.locals[i] = positional[i] }
        if given > spec.positionalCount {
            if let slot = spec.varArgsSlot {
                frame.locals[slot] = .object(PyTuple(Array(positional[spec.positionalCount...])))
            } else {
                throw tooManyPositional(
                    f, given: given,
                    keywordOnlyGiven: args.keywords.filter { spec.slotByName[$0.name].map { $0 >= spec.positionalCount } ?? false }.count)
            }
        } else if let slot = spec.varArgsSlot {
            frame.locals[slot] = .object(PyTuple.empty)
        }
        var extra: PyDict?
        if let slot = spec.varKeywordsSlot {
            let d = PyDict()
            extra = d
            frame.locals[slot] = .object(d)
        }
        var positionalOnlyAsKeyword: [String] = []
        for (k, v) in args.keywords {
            if let slot = spec.slotByName[k], slot >= spec.positionalOnlyCount {
                if frame.locals[slot] != nil {
                    throw PyError.type("\(name)() got multiple values for argument '\(k)'")
                }
                frame.locals[slot] = v
            } else if let extra {
                if extra.contains(PyKey(k)) { throw PyError.type("\(name)() got multiple values for keyword argument '\(k)'") }
                extra.setString(k, v)
            } else if let slot = spec.slotByName[k], slot < spec.positionalOnlyCount {
                positionalOnlyAsKeyword.append(k)
            } else {
                throw PyError.type("\(name)() got an unexpected keyword argument '\(k)'")
            }
        }
        if !positionalOnlyAsKeyword.isEmpty {
            throw PyError.type(
                "\(name)() got some positional-only arguments passed as keyword arguments: '\(positionalOnlyAsKeyword.joined(separator: ", "))'")
        }
        // Defaults for missing positional parameters.
        let defaults = f.defaults
        let firstDefault = spec.positionalCount - defaults.count
        var missing: [String] = []
        for i in bound..<spec.positionalCount where frame.locals[i] == nil {
            if i >= firstDefault {
                frame.locals[i] = defaults[i - firstDefault]
            } else {
                missing.append(spec.names[i])
            }
        }
        if !missing.isEmpty { throw missingArguments(name, missing, kind: "positional") }
        for i in spec.positionalCount..<(spec.positionalCount + spec.keywordOnlyCount) where frame.locals[i] == nil {
            let n = spec.names[i]
            if let d = f.keywordDefaults[n] { frame.locals[i] = d } else { missing.append(n) }
        }
        if !missing.isEmpty { throw missingArguments(name, missing, kind: "keyword-only") }
    }

    func missingArguments(_ function: String, _ names: [String], kind: String) -> PyError {
        let quoted = names.map { "'\($0)'" }
        let list: String
        switch quoted.count {
        case 1: list = quoted[0]
        case 2: list = "\(quoted[0]) and \(quoted[1])"
        default: list = quoted.dropLast().joined(separator: ", ") + ", and " + quoted[quoted.count - 1]
        }
        let plural = names.count == 1 ? "argument" : "arguments"
        return PyError.type("\(function)() missing \(names.count) required \(kind) \(plural): \(list)")
    }

    func tooManyPositional(_ f: PyFunction, given: Int, keywordOnlyGiven: Int) -> PyError {
        let spec = f.code.parameters
        let required = spec.positionalCount - f.defaults.count
        let takes: String
        if f.defaults.isEmpty {
            takes = "\(spec.positionalCount) positional argument\(spec.positionalCount == 1 ? "" : "s")"
        } else {
            takes = "from \(required) to \(spec.positionalCount) positional arguments"
        }
        var givenText = "\(given) \(given == 1 ? "was" : "were") given"
        if keywordOnlyGiven > 0 {
            givenText =
                "\(given) positional argument\(given == 1 ? "" : "s") (and \(keywordOnlyGiven) keyword-only argument\(keywordOnlyGiven == 1 ? "" : "s")) were given"
        }
        return PyError.type("\(f.qualname)() takes \(takes) but \(givenText)")
    }
}

/// Argument checking for builtins, with CPython's messages.
extension Args {
    /// No keywords allowed, and between `min` and `max` positional arguments.
    public func check(_ name: String, min: Int, max: Int) throws {
        if let k = keywords.first { throw PyError.type("\(name)() takes no keyword arguments" + (k.name.isEmpty ? "" : "")) }
        try checkCount(name, min: min, max: max)
    }

    public func checkCount(_ name: String, min: Int, max: Int) throws {
        let n = positional.count
        if n < min || n > max {
            if min == max {
                if min == 0 { throw PyError.type("\(name)() takes no arguments (\(n) given)") }
                if min == 1 { throw PyError.type("\(name)() takes exactly one argument (\(n) given)") }
                throw PyError.type("\(name) expected \(min) arguments, got \(n)")
            }
            if n < min {
                throw PyError.type("\(name) expected at least \(min) argument\(min == 1 ? "" : "s"), got \(n)")
            }
            throw PyError.type("\(name) expected at most \(max) argument\(max == 1 ? "" : "s"), got \(n)")
        }
    }

    /// Binds positional-or-keyword parameters by name; unknown keywords are errors.
    /// Returns one value per name (nil when not given).
    public func bind(_ function: String, _ names: [String], required: Int = 0, positionalOnly: Int = 0) throws -> [PyValue?] {
        var out = [PyValue?](repeating: nil, count: names.count)
        if positional.count > names.count {
            let plural = names.count == 1 ? "" : "s"
            if required == names.count {
                throw PyError.type("\(function)() takes exactly \(names.count) argument\(plural) (\(positional.count) given)")
            }
            throw PyError.type("\(function)() takes at most \(names.count) argument\(plural) (\(positional.count) given)")
        }
        for (i, v) in positional.enumerated() { out[i] = v }
        for (k, v) in keywords {
            guard let i = names.firstIndex(of: k), i >= positionalOnly else {
                throw PyError.type("\(function)() got an unexpected keyword argument '\(k)'")
            }
            if out[i] != nil { throw PyError.type("argument for \(function)() given by name ('\(k)') and position (\(i + 1))") }
            out[i] = v
        }
        for i in 0..<required where out[i] == nil {
            throw PyError.type("\(function)() missing required argument '\(names[i])' (pos \(i + 1))")
        }
        return out
    }
}
