import BigInt

/// Code-point indexing of Swift strings (Python indexes strings by code point).
enum StringIndex {
    /// True when every character is ASCII. The UTF-8 and UTF-16 lengths agree only then, and on
    /// a native string both are O(1) (the UTF-16 length is cached): a byte scan here made each
    /// `s[i]` and `len(s)` cost O(len(s)).
    static func isASCII(_ s: String) -> Bool {
        s.utf8.count == s.utf16.count
    }

    static func count(_ s: String) -> Int {
        let n = s.utf8.count
        if n < 32 || isASCII(s) { return n < 32 ? s.unicodeScalars.count : n }
        return s.unicodeScalars.count
    }

    static func scalars(_ s: String) -> [Unicode.Scalar] { Array(s.unicodeScalars) }

    static func character(_ s: String, at i: Int) -> String {
        if isASCII(s) {
            let u = s.utf8
            let idx = u.index(u.startIndex, offsetBy: i)
            return String(Unicode.Scalar(u[idx]))
        }
        let sc = s.unicodeScalars
        return String(sc[sc.index(sc.startIndex, offsetBy: i)])
    }

    static func slice(_ s: String, _ start: Int, _ stop: Int, _ step: Int, _ length: Int) -> String {
        if step == 1 {
            guard stop > start else { return "" }
            if isASCII(s) {
                let u = s.utf8
                let a = u.index(u.startIndex, offsetBy: start), b = u.index(u.startIndex, offsetBy: stop)
                return String(s[a..<b])
            }
            let sc = s.unicodeScalars
            let a = sc.index(sc.startIndex, offsetBy: start), b = sc.index(sc.startIndex, offsetBy: stop)
            return String(sc[a..<b])
        }
        // Stepped slices pick bytes (ASCII) or scalars from an array and build UTF-8 bytes.
        var out: [UInt8] = []
        var i = start
        if isASCII(s) {
            let bytes = Array(s.utf8)
            out.reserveCapacity(length)
            for _ in 0..<length {
                out.append(bytes[i])
                i += step
            }
        } else {
            let chars = scalars(s)
            out.reserveCapacity(length * 2)
            for _ in 0..<length {
                UTF8.encode(chars[i]) { out.append($0) }
                i += step
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A resolved slice: start, stop, step and how many elements it selects.
struct SliceBounds {
    let start: Int, stop: Int, step: Int, length: Int

    var indices: [Int] {
        var out: [Int] = []
        out.reserveCapacity(length)
        var i = start
        for _ in 0..<length {
            out.append(i)
            i += step
        }
        return out
    }
}

extension ExecContext {
    /// An integer index from an int, bool, big int or an object with `__index__`.
    public func index(_ v: PyValue) throws -> BigInt? {
        switch v {
        case .int(let i): return BigInt(i)
        case .bool(let b): return b ? 1 : 0
        case .object(let o as PyBigInt): return o.value
        case .object:
            if let r = try callSpecial(v, "__index__") { return r.bigInt }
            return nil
        default: return nil
        }
    }

    /// Python's `slice.indices(length)`.
    func sliceBounds(_ s: PySlice, length: Int) throws -> SliceBounds {
        func clampIndex(_ v: PyValue) throws -> Int? {
            if v.isNone { return nil }
            guard let b = try index(v) else {
                throw PyError.type("slice indices must be integers or None or have an __index__ method")
            }
            if let i = Int(exactly: b) { return i }
            return b.sign == .minus ? Int.min / 2 : Int.max / 2
        }
        var step = 1
        if !s.step.isNone {
            guard let st = try clampIndex(s.step) else { step = 1; return try sliceBounds(PySlice(s.start, s.stop, .none), length: length) }
            guard st != 0 else { throw PyError.value("slice step cannot be zero") }
            // As CPython, a step of -2**63 counts as -(2**63 - 1), so -step cannot overflow.
            step = max(st, -Int.max)
        }
        let lower = step > 0 ? 0 : -1
        let upper = step > 0 ? length : length - 1
        func adjust(_ v: Int?, _ defaultValue: Int) -> Int {
            guard var x = v else { return defaultValue }
            if x < 0 {
                x += length
                if x < lower { x = lower }
            } else if x > upper {
                x = upper
            }
            return x
        }
        let start = adjust(try clampIndex(s.start), step > 0 ? lower : upper)
        let stop = adjust(try clampIndex(s.stop), step > 0 ? upper : lower)
        var count = 0
        if step > 0 {
            if stop > start { count = (stop - start - 1) / step + 1 }
        } else if start > stop {
            count = (start - stop - 1) / (-step) + 1
        }
        return SliceBounds(start: start, stop: stop, step: step, length: count)
    }

    /// Normalizes `i` against `count` (negative counts from the end), or raises IndexError.
    func normalizedIndex(_ key: PyValue, count: Int, what: String, container: String) throws -> Int {
        guard let b = try index(key) else {
            throw PyError.type("\(container) indices must be integers or slices, not \(key.typeName)")
        }
        guard var i = Int(exactly: b) else {
            throw PyError.index("cannot fit 'int' into an index-sized integer")
        }
        if i < 0 { i += count }
        guard i >= 0 && i < count else { throw PyError.index(what) }
        return i
    }

    /// `container[key]`.
    public func getItem(_ container: PyValue, _ key: PyValue) throws -> PyValue {
        if let m = userOverride(container, "__getitem__") { return try callDescriptor(m, self: container, Args([key])) }
        return try builtinGetItem(container, key)
    }

    /// `container[key]` for the builtin types, ignoring overrides in user subclasses.
    func builtinGetItem(_ container: PyValue, _ key: PyValue) throws -> PyValue {
        switch container {
        case .str(let s):
            if case .object(let sl as PySlice) = key {
                let n = StringIndex.count(s)
                let b = try sliceBounds(sl, length: n)
                return .str(StringIndex.slice(s, b.start, b.stop, b.step, b.length))
            }
            guard (try? index(key)) != nil else { throw PyError.type("string indices must be integers, not '\(key.typeName)'") }
            let i = try normalizedIndex(key, count: StringIndex.count(s), what: "string index out of range", container: "string")
            return .str(StringIndex.character(s, at: i))
        case .object(let o):
            switch o {
            case let l as PyList:
                if case .int(let i) = key {
                    let j = i < 0 ? i + l.items.count : i
                    guard j >= 0 && j < l.items.count else { throw PyError.index("list index out of range") }
                    return l.items[j]
                }
                if case .object(let sl as PySlice) = key {
                    let b = try sliceBounds(sl, length: l.items.count)
                    if b.step == 1 { return .object(PyList(b.length > 0 ? Array(l.items[b.start..<b.stop]) : [])) }
                    return .object(PyList(b.indices.map { l.items[$0] }))
                }
                return l.items[try normalizedIndex(key, count: l.items.count, what: "list index out of range", container: "list")]
            case let t as PyTuple:
                if case .object(let sl as PySlice) = key {
                    let b = try sliceBounds(sl, length: t.items.count)
                    if b.step == 1 { return .object(PyTuple(b.length > 0 ? Array(t.items[b.start..<b.stop]) : [])) }
                    return .object(PyTuple(b.indices.map { t.items[$0] }))
                }
                return t.items[try normalizedIndex(key, count: t.items.count, what: "tuple index out of range", container: "tuple")]
            case let d as PyDict:
                if let v = d.get(try PyKey.make(key, self)) { return v }
                if let missing = try lookupMissing(container, key) { return missing }
                throw PyError.key(key)
            case let r as PyRange:
                if case .object(let sl as PySlice) = key {
                    let b = try sliceBounds(sl, length: r.count)
                    return .object(
                        PyRange(start: r.element(b.start), stop: r.element(b.start) &+ b.length &* (r.step &* b.step), step: r.step &* b.step))
                }
                let i = try normalizedIndex(key, count: r.count, what: "range object index out of range", container: "range")
                return .int(r.element(i))
            case let t as PyType:
                if t.lookup("__class_getitem__") != nil, let m = try typeAttr(t, "__class_getitem__") {
                    return try call(m, Args([key]))
                }
                if t.isBuiltin,
                    [
                        Builtins.listType, Builtins.dictType, Builtins.tupleType, Builtins.setType,
                        Builtins.frozensetType, Builtins.typeType,
                    ].contains(where: { $0 === t })
                {
                    return .object(PyGenericAlias(origin: .object(t), args: key.as(PyTuple.self)?.items ?? [key]))
                }
                if let m = special(container, "__getitem__") { return try callDescriptor(m, self: container, Args([key])) }
                throw PyError.type("type '\(t.name)' is not subscriptable")
            default:
                if let m = special(container, "__getitem__") {
                    return try callDescriptor(m, self: container, Args([key]))
                }
            }
        default: break
        }
        throw PyError.type("'\(container.typeName)' object is not subscriptable")
    }

    /// `__missing__` for dict subclasses such as defaultdict.
    func lookupMissing(_ container: PyValue, _ key: PyValue) throws -> PyValue? {
        guard let m = special(container, "__missing__") else { return nil }
        return try callDescriptor(m, self: container, Args([key]))
    }

    /// `container[key] = value`.
    public func setItem(_ container: PyValue, _ key: PyValue, _ value: PyValue) throws {
        if let m = userOverride(container, "__setitem__") {
            _ = try callDescriptor(m, self: container, Args([key, value]))
            return
        }
        try builtinSetItem(container, key, value)
    }

    /// `container[key] = value` for the builtin types, ignoring overrides in user subclasses.
    func builtinSetItem(_ container: PyValue, _ key: PyValue, _ value: PyValue) throws {
        if case .object(let o) = container {
            switch o {
            case let l as PyList:
                if case .object(let sl as PySlice) = key {
                    let items = try iterateToArray(value)
                    let b = try sliceBounds(sl, length: l.items.count)
                    if b.step == 1 {
                        let stop = max(b.start, b.stop)
                        l.items.replaceSubrange(b.start..<stop, with: items)
                        return
                    }
                    guard items.count == b.length else {
                        throw PyError.value("attempt to assign sequence of size \(items.count) to extended slice of size \(b.length)")
                    }
                    for (n, i) in b.indices.enumerated() { l.items[i] = items[n] }
                    return
                }
                let i = try normalizedIndex(key, count: l.items.count, what: "list assignment index out of range", container: "list")
                l.items[i] = value
                return
            case let d as PyDict:
                d.set(try PyKey.make(key, self), value)
                if let e = pendingKeyError { pendingKeyError = nil; throw e }
                return
            default:
                if let m = special(container, "__setitem__") {
                    _ = try callDescriptor(m, self: container, Args([key, value]))
                    return
                }
            }
        }
        throw PyError.type("'\(container.typeName)' object does not support item assignment")
    }

    /// `del container[key]`.
    public func delItem(_ container: PyValue, _ key: PyValue) throws {
        if let m = userOverride(container, "__delitem__") {
            _ = try callDescriptor(m, self: container, Args([key]))
            return
        }
        try builtinDelItem(container, key)
    }

    /// `del container[key]` for the builtin types, ignoring overrides in user subclasses.
    func builtinDelItem(_ container: PyValue, _ key: PyValue) throws {
        if case .object(let o) = container {
            switch o {
            case let l as PyList:
                if case .object(let sl as PySlice) = key {
                    let b = try sliceBounds(sl, length: l.items.count)
                    if b.step == 1 {
                        if b.length > 0 { l.items.removeSubrange(b.start..<b.stop) }
                        return
                    }
                    for i in b.indices.sorted(by: >) { l.items.remove(at: i) }
                    return
                }
                let i = try normalizedIndex(key, count: l.items.count, what: "list assignment index out of range", container: "list")
                l.items.remove(at: i)
                return
            case let d as PyDict:
                guard d.remove(try PyKey.make(key, self)) != nil else { throw PyError.key(key) }
                return
            default:
                if let m = special(container, "__delitem__") {
                    _ = try callDescriptor(m, self: container, Args([key]))
                    return
                }
            }
        }
        throw PyError.type("'\(container.typeName)' object doesn't support item deletion")
    }
}

/// `list[int]`, `dict[str, int]`: a parameterized builtin type (used in annotations).
public final class PyGenericAlias: PyObject, @unchecked Sendable {
    public let origin: PyValue
    public let args: [PyValue]
    public init(origin: PyValue, args: [PyValue]) {
        self.origin = origin
        self.args = args
        super.init(type: Builtins.genericAliasType)
    }
}

extension Builtins {
    public static let genericAliasType = makeType("types.GenericAlias", native: .init(subclassable: false)) { t in
        t.define(
            "__repr__",
            .object(
                PyNativeMethod("__repr__") { ctx, me, _ in
                    guard let g = me.as(PyGenericAlias.self) else { return .str("") }
                    return .str(try TypeRepr.describe(ctx, .object(g)))
                }))
        t.define(
            "__call__",
            .object(
                PyNativeMethod("__call__") { ctx, me, args in
                    guard let g = me.as(PyGenericAlias.self) else { return .none }
                    return try ctx.call(g.origin, args)
                }))
    }
}

/// How annotations print: `list[str]`, `typing.Optional[int]`, `<class 'int'>` for bare types.
public enum TypeRepr {
    public static func describe(_ ctx: ExecContext, _ v: PyValue, nested: Bool = false) throws -> String {
        switch v {
        case .none: return "None"
        case .object(let o):
            if let t = o as? PyType { return nested ? (t.module == "builtins" ? t.name : "\(t.module).\(t.qualname)") : "<class '\(t.displayName)'>" }
            if let g = o as? PyGenericAlias {
                let origin: String
                if case .object(let t as PyType) = g.origin {
                    origin = t.module == "builtins" ? t.name : "\(t.module).\(t.name)"
                } else {
                    origin = try ctx.repr(g.origin)
                }
                return origin + "[" + (try g.args.map { try describe(ctx, $0, nested: true) }.joined(separator: ", ")) + "]"
            }
            return try ctx.repr(v)
        default:
            return try ctx.repr(v)
        }
    }
}
