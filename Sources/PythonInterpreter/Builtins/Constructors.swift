import BigInt

/// What calling the builtin types does (`int("3")`, `list(x)`, `zip(a, b)`...).
enum ConstructorTypes {
    /// Binds the iterator types' names in one interpreter (the types themselves are shared).
    static func install(into interp: Interpreter) {
        _ = configured
        for (name, t) in [
            ("enumerate", Builtins.enumerateType), ("zip", Builtins.zipType), ("map", Builtins.mapType),
            ("filter", Builtins.filterType), ("reversed", Builtins.reversedType),
        ] {
            interp.builtins.set(name, .object(t))
        }
    }

    /// What calling each builtin type does, set once for the process: the types are shared by
    /// every interpreter, so setting them per interpreter would race.
    private static let configured: Bool = {
        Builtins.intType.native.construct = { ctx, _, a in
            let p = try a.bind("int", ["x", "base"], positionalOnly: 1)
            guard let x = p[0] else {
                if p[1] != nil { throw PyError.type("int() missing string argument") }
                return .int(0)
            }
            if let baseValue = p[1] {
                let base = try ctx.intArg(baseValue)
                guard case .str(let s) = x else { throw PyError.type("int() can't convert non-string with explicit base") }
                return try parseInt(s, base: base)
            }
            return try toInt(ctx, x)
        }
        Builtins.floatType.native.construct = { ctx, _, a in
            try a.check("float", min: 0, max: 1)
            guard a.count == 1 else { return .float(0) }
            return .float(try toFloat(ctx, a[0]))
        }
        Builtins.boolType.native.construct = { ctx, _, a in
            try a.check("bool", min: 0, max: 1)
            return .bool(a.count == 1 ? try ctx.truthy(a[0]) : false)
        }
        Builtins.strType.native.construct = { ctx, _, a in
            let p = try a.bind("str", ["object", "encoding", "errors"])
            guard let x = p[0] else { return .str("") }
            return .str(try ctx.str(x))
        }
        Builtins.listType.native.construct = { ctx, _, a in
            try a.check("list", min: 0, max: 1)
            return .object(PyList(a.count == 1 ? try ctx.iterateToArray(a[0]) : []))
        }
        Builtins.tupleType.native.construct = { ctx, _, a in
            try a.check("tuple", min: 0, max: 1)
            if a.count == 1, case .object(let t as PyTuple) = a[0], t.type === Builtins.tupleType { return .object(t) }
            return .object(PyTuple(a.count == 1 ? try ctx.iterateToArray(a[0]) : []))
        }
        Builtins.dictType.native.construct = { ctx, _, a in
            try a.checkCount("dict", min: 0, max: 1)
            let d = PyDict()
            if a.count == 1 { for (k, v) in try ctx.mappingPairs(a[0]) { d.set(k, v) } }
            for (k, v) in a.keywords { d.setString(k, v) }
            return .object(d)
        }
        Builtins.setType.native.construct = { ctx, _, a in
            try a.check("set", min: 0, max: 1)
            let s = PySet()
            if a.count == 1 {
                try ctx.forEach(a[0]) {
                    s.insert(try PyKey.make($0, ctx)); return true
                }
            }
            return .object(s)
        }
        Builtins.frozensetType.native.construct = { ctx, _, a in
            try a.check("frozenset", min: 0, max: 1)
            let s = PySet(frozen: true)
            if a.count == 1 {
                try ctx.forEach(a[0]) {
                    s.insert(try PyKey.make($0, ctx)); return true
                }
            }
            return .object(s)
        }
        Builtins.rangeType.native.construct = { ctx, _, a in
            try a.check("range", min: 1, max: 3)
            func arg(_ v: PyValue) throws -> Int {
                if case .float = v { throw PyError.type("'float' object cannot be interpreted as an integer") }
                guard let b = try ctx.index(v) else { throw PyError.type("'\(v.typeName)' object cannot be interpreted as an integer") }
                guard let i = Int(exactly: b), i > Int.min / 2, i < Int.max / 2 else {
                    throw PyError.overflow("range() arguments beyond ±2**62 are not supported in this shell")
                }
                return i
            }
            let values = try a.positional.map(arg)
            switch values.count {
            case 1: return .object(PyRange(start: 0, stop: values[0], step: 1))
            case 2: return .object(PyRange(start: values[0], stop: values[1], step: 1))
            default:
                guard values[2] != 0 else { throw PyError.value("range() arg 3 must not be zero") }
                return .object(PyRange(start: values[0], stop: values[1], step: values[2]))
            }
        }
        Builtins.sliceType.native.construct = { _, _, a in
            try a.check("slice", min: 1, max: 3)
            switch a.count {
            case 1: return .object(PySlice(.none, a[0], .none))
            case 2: return .object(PySlice(a[0], a[1], .none))
            default: return .object(PySlice(a[0], a[1], a[2]))
            }
        }
        Builtins.objectType.native.construct = { _, _, a in
            try a.check("object", min: 0, max: 0)
            return .object(PyInstance(cls: Builtins.objectType))
        }
        Builtins.propertyType.native.construct = { _, _, a in
            let p = try a.bind("property", ["fget", "fset", "fdel", "doc"])
            var doc = p[3] ?? .none
            if doc.isNone, case .object(let f as PyFunction)? = p[0] { doc = f.doc }
            return .object(PyProperty(fget: p[0] ?? .none, fset: p[1] ?? .none, fdel: p[2] ?? .none, doc: doc))
        }
        Builtins.staticMethodType.native.construct = { _, _, a in
            try a.check("staticmethod", min: 1, max: 1)
            return .object(PyStaticMethod(a[0]))
        }
        Builtins.classMethodType.native.construct = { _, _, a in
            try a.check("classmethod", min: 1, max: 1)
            return .object(PyClassMethod(a[0]))
        }
        Builtins.superType.native.construct = { _, _, a in
            try a.check("super", min: 2, max: 2)
            guard case .object(let t as PyType) = a[0] else { throw PyError.type("super() argument 1 must be a type, not \(a[0].typeName)") }
            return .object(PySuper(startAfter: t, receiver: a[1]))
        }
        let iterTypes: [(String, PyType.NativeBehavior)] = [
            (
                "enumerate",
                .init(
                    construct: { ctx, _, a in
                        let p = try a.bind("enumerate", ["iterable", "start"], required: 1)
                        guard let source = p[0] else { return .none }
                        let it = try ctx.iter(source)
                        var n = try p[1].map { try ctx.index($0) ?? 0 } ?? 0
                        return .object(
                            ClosureIterator(name: "enumerate", type: Builtins.enumerateType) { ctx in
                                guard let v = try it.next(ctx) else { return nil }
                                defer { n += 1 }
                                return .object(PyTuple([.int(n), v]))
                            })
                    }, subclassable: false)
            ),
            (
                "zip",
                .init(
                    construct: { ctx, _, a in
                        var strict = false
                        for (k, v) in a.keywords {
                            guard k == "strict" else { throw PyError.type("zip() got an unexpected keyword argument '\(k)'") }
                            strict = try ctx.truthy(v)
                        }
                        let its = try a.positional.map { try ctx.iter($0) }
                        var done = its.isEmpty
                        return .object(
                            ClosureIterator(name: "zip", type: Builtins.zipType) { ctx in
                                if done { return nil }
                                var row: [PyValue] = []
                                for (i, it) in its.enumerated() {
                                    guard let v = try it.next(ctx) else {
                                        done = true
                                        if strict {
                                            if i > 0 {
                                                throw PyError.value(
                                                    "zip() argument \(i + 1) is shorter than argument\(i == 1 ? "" : "s") 1\(i == 1 ? "" : "-\(i)")")
                                            }
                                            for (j, other) in its.enumerated().dropFirst() where try other.next(ctx) != nil {
                                                throw PyError.value(
                                                    "zip() argument \(j + 1) is longer than argument\(j == 1 ? "" : "s") 1\(j == 1 ? "" : "-\(j)")")
                                            }
                                        }
                                        return nil
                                    }
                                    row.append(v)
                                }
                                return .object(PyTuple(row))
                            })
                    }, subclassable: false)
            ),
            (
                "map",
                .init(
                    construct: { ctx, _, a in
                        guard a.count >= 2, a.keywords.isEmpty else { throw PyError.type("map() must have at least two arguments.") }
                        let fn = a[0]
                        let its = try a.positional.dropFirst().map { try ctx.iter($0) }
                        return .object(
                            ClosureIterator(name: "map", type: Builtins.mapType) { ctx in
                                var args: [PyValue] = []
                                for it in its {
                                    guard let v = try it.next(ctx) else { return nil }
                                    args.append(v)
                                }
                                return try ctx.call(fn, Args(args))
                            })
                    }, subclassable: false)
            ),
            (
                "filter",
                .init(
                    construct: { ctx, _, a in
                        try a.check("filter", min: 2, max: 2)
                        let fn = a[0]
                        let it = try ctx.iter(a[1])
                        return .object(
                            ClosureIterator(name: "filter", type: Builtins.filterType) { ctx in
                                while let v = try it.next(ctx) {
                                    let keep = fn.isNone ? try ctx.truthy(v) : try ctx.truthy(try ctx.call(fn, Args([v])))
                                    if keep { return v }
                                }
                                return nil
                            })
                    }, subclassable: false)
            ),
            (
                "reversed",
                .init(
                    construct: { ctx, _, a in
                        try a.check("reversed", min: 1, max: 1)
                        let source = a[0]
                        if let m = ctx.special(source, "__reversed__"), source.as(PyList.self) == nil {
                            return try ctx.callDescriptor(m, self: source, Args())
                        }
                        let items: [PyValue]
                        switch source {
                        case .str(let s): items = s.unicodeScalars.map { .str(String($0)) }
                        case .object(let l as PyList): items = l.items
                        case .object(let t as PyTuple): items = t.items
                        case .object(let r as PyRange): items = (0..<r.count).map { .int(r.element($0)) }
                        case .object(let d as PyDict): items = d.keyList
                        case .object(let v as PyDictView): items = v.items
                        default:
                            guard ctx.special(source, "__len__") != nil, ctx.special(source, "__getitem__") != nil else {
                                throw PyError.type("'\(source.typeName)' object is not reversible")
                            }
                            let n = try ctx.len(source)
                            items = try (0..<n).map { try ctx.getItem(source, .int($0)) }
                        }
                        return .object(ArrayIterator(items.reversed(), name: "reversed"))
                    }, subclassable: false)
            ),
        ]
        for (name, behavior) in iterTypes {
            let t: PyType
            switch name {
            case "enumerate": t = Builtins.enumerateType
            case "zip": t = Builtins.zipType
            case "map": t = Builtins.mapType
            case "filter": t = Builtins.filterType
            default: t = Builtins.reversedType
            }
            t.native = behavior
        }
        return true
    }()

    /// `int(x)` for non-strings and strings in base 10.
    static func toInt(_ ctx: ExecContext, _ x: PyValue) throws -> PyValue {
        switch x {
        case .int: return x
        case .bool(let b): return .int(b ? 1 : 0)
        case .float(let d):
            if d.isNaN { throw PyError.value("cannot convert float NaN to integer") }
            if d.isInfinite { throw PyError.overflow("cannot convert float infinity to integer") }
            return .int(BigInt(d.rounded(.towardZero)))
        case .str(let s): return try parseInt(s, base: 10)
        case .object(let o):
            if o is PyBigInt { return x }
            if let r = try ctx.callSpecial(x, "__int__") { return r }
            if let r = try ctx.callSpecial(x, "__index__") { return r }
            if let r = try ctx.callSpecial(x, "__trunc__") { return r }
        case .none: break
        }
        throw PyError.type("int() argument must be a string, a bytes-like object or a real number, not '\(x.typeName)'")
    }

    /// Python's `int(text, base)`: whitespace, sign, underscores and base prefixes.
    static func parseInt(_ text: String, base: Int) throws -> PyValue {
        guard base == 0 || (2...36).contains(base) else { throw PyError.value("int() base must be >= 2 and <= 36, or 0") }
        let invalid = PyError.value("invalid literal for int() with base \(base): \(Repr.string(text))")
        var s = Substring(text.trimmingCharacters(in: " \t\n\r\u{0B}\u{0C}"))
        var negative = false
        if let f = s.first, f == "+" || f == "-" {
            negative = f == "-"
            s = s.dropFirst()
        }
        var radix = base
        let lower = s.lowercased()
        if (base == 0 || base == 16) && lower.hasPrefix("0x") {
            radix = 16; s = s.dropFirst(2)
        } else if (base == 0 || base == 8) && lower.hasPrefix("0o") {
            radix = 8; s = s.dropFirst(2)
        } else if (base == 0 || base == 2) && lower.hasPrefix("0b") {
            radix = 2; s = s.dropFirst(2)
        } else if base == 0 {
            radix = 10
            if s.count > 1, s.first == "0", s.contains(where: { $0 != "0" && $0 != "_" }) { throw invalid }
        }
        if s.hasPrefix("_") && radix != base { s = s.dropFirst() }
        guard !s.isEmpty, !s.hasPrefix("_"), !s.hasSuffix("_"), !s.contains("__") else { throw invalid }
        let digits = s.replacingOccurrences(of: "_", with: "")
        guard digits.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { throw invalid }
        if radix == 10 && digits.count > Repr.maxIntDigits {
            throw PyError.value(
                "Exceeds the limit (\(Repr.maxIntDigits) digits) for integer string conversion: value has \(digits.count) digits; use sys.set_int_max_str_digits() to increase the limit"
            )
        }
        if let i = Int(digits, radix: radix) { return .int(negative ? -i : i) }
        guard let b = BigInt(digits, radix: radix) else { throw invalid }
        return .int(negative ? -b : b)
    }

    static func toFloat(_ ctx: ExecContext, _ x: PyValue) throws -> Double {
        switch x {
        case .float(let d): return d
        case .int, .bool: return try ctx.toDouble(x)
        case .str(let s):
            let t = s.trimmingCharacters(in: " \t\n\r\u{0B}\u{0C}")
            let lower = t.lowercased()
            switch lower {
            case "inf", "+inf", "infinity", "+infinity": return .infinity
            case "-inf", "-infinity": return -.infinity
            case "nan", "+nan", "-nan": return .nan
            default: break
            }
            let cleaned = t.replacingOccurrences(of: "_", with: "")
            let valid =
                !t.hasPrefix("_") && !t.hasSuffix("_") && !t.contains("__")
                && cleaned.allSatisfy { $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) } && !cleaned.isEmpty && !lower.hasPrefix("0x")
            guard valid, let d = Double(cleaned) else {
                throw PyError.value("could not convert string to float: \(Repr.string(s))")
            }
            return d
        case .object(let o):
            if o is PyBigInt { return try ctx.toDouble(x) }
            if let r = try ctx.callSpecial(x, "__float__") {
                guard case .float(let d) = r else { throw PyError.type("\(x.typeName).__float__ returned non-float (type \(r.typeName))") }
                return d
            }
            if let r = try ctx.callSpecial(x, "__index__") { return try ctx.toDouble(r) }
        case .none: break
        }
        throw PyError.type("float() argument must be a string or a real number, not '\(x.typeName)'")
    }
}

extension Builtins {
    public static let enumerateType = makeType("enumerate") { IteratorMethods.install($0) }
    public static let zipType = makeType("zip") { IteratorMethods.install($0) }
    public static let mapType = makeType("map") { IteratorMethods.install($0) }
    public static let filterType = makeType("filter") { IteratorMethods.install($0) }
    public static let reversedType = makeType("reversed") { IteratorMethods.install($0) }
}
