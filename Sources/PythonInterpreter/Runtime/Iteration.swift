/// A Python iterator implemented in Swift. `next` returns nil when exhausted.
open class PyIterator: PyObject, @unchecked Sendable {
    public init(type: PyType = Builtins.iteratorType) {
        super.init(type: type)
    }

    open func next(_ ctx: ExecContext) throws -> PyValue? { nil }

    /// A name for the iterator's type in reprs (`list_iterator`).
    open var kindName: String { "iterator" }
}

final class ArrayIterator: PyIterator, @unchecked Sendable {
    let items: [PyValue]
    var i = 0
    let name: String
    init(_ items: [PyValue], name: String) {
        self.items = items
        self.name = name
        super.init()
    }
    override func next(_ ctx: ExecContext) throws -> PyValue? {
        guard i < items.count else { return nil }
        defer { i += 1 }
        return items[i]
    }
    override var kindName: String { name }
}

/// Iterates a list by index, so appends during iteration are seen (as in Python).
final class ListIterator: PyIterator, @unchecked Sendable {
    let list: PyList
    var i = 0
    init(_ list: PyList) {
        self.list = list
        super.init()
    }
    override func next(_ ctx: ExecContext) throws -> PyValue? {
        guard i < list.items.count else { return nil }
        defer { i += 1 }
        return list.items[i]
    }
    override var kindName: String { "list_iterator" }
}

final class RangeIterator: PyIterator, @unchecked Sendable {
    var current: Int
    let step: Int
    var remaining: Int
    init(_ r: PyRange) {
        current = r.start
        step = r.step
        remaining = r.count
        super.init()
    }
    override func next(_ ctx: ExecContext) throws -> PyValue? {
        guard remaining > 0 else { return nil }
        let v = current
        current = current &+ step
        remaining -= 1
        return .int(v)
    }
    override var kindName: String { "range_iterator" }
}

final class StringIterator: PyIterator, @unchecked Sendable {
    var iterator: String.UnicodeScalarView.Iterator
    init(_ s: String) {
        iterator = s.unicodeScalars.makeIterator()
        super.init()
    }
    override func next(_ ctx: ExecContext) throws -> PyValue? {
        guard let c = iterator.next() else { return nil }
        return .str(String(c))
    }
    override var kindName: String { "str_iterator" }
}

final class DictIterator: PyIterator, @unchecked Sendable {
    enum Kind { case keys, values, items }
    let dict: PyDict
    let kind: Kind
    var slot = 0
    let startCount: Int
    let startVersion: Int
    init(_ dict: PyDict, _ kind: Kind) {
        self.dict = dict
        self.kind = kind
        startCount = dict.count
        startVersion = dict.version
        super.init()
    }
    override func next(_ ctx: ExecContext) throws -> PyValue? {
        if dict.count != startCount { throw PyError.runtime("dictionary changed size during iteration") }
        if dict.version != startVersion { throw PyError.runtime("dictionary keys changed during iteration") }
        while slot < dict.slotCount {
            defer { slot += 1 }
            if let (k, v) = dict.slot(slot) {
                switch kind {
                case .keys: return k.value
                case .values: return v
                case .items: return .object(PyTuple([k.value, v]))
                }
            }
        }
        return nil
    }
    override var kindName: String {
        switch kind {
        case .keys: return "dict_keyiterator"
        case .values: return "dict_valueiterator"
        case .items: return "dict_itemiterator"
        }
    }
}

final class SetIterator: PyIterator, @unchecked Sendable {
    let set: PySet
    var slot = 0
    let startVersion: Int
    init(_ set: PySet) {
        self.set = set
        startVersion = set.version
        super.init()
    }
    override func next(_ ctx: ExecContext) throws -> PyValue? {
        if set.version != startVersion { throw PyError.runtime("Set changed size during iteration") }
        while slot < set.slotCount {
            defer { slot += 1 }
            if let k = set.slot(slot) { return k.value }
        }
        return nil
    }
    override var kindName: String { "set_iterator" }
}

/// Wraps a user object with `__next__`.
final class UserIterator: PyIterator, @unchecked Sendable {
    let object: PyValue
    let nextMethod: PyValue
    init(_ object: PyValue, next: PyValue) {
        self.object = object
        self.nextMethod = next
        super.init()
    }
    override func next(_ ctx: ExecContext) throws -> PyValue? {
        do {
            return try ctx.callDescriptor(nextMethod, self: object, Args())
        } catch let e as PyError where e.isInstance(of: Builtins.stopIterationType) {
            return nil
        }
    }
}

/// The old sequence protocol: `__getitem__(0)`, `__getitem__(1)`, ... until IndexError.
final class SequenceIterator: PyIterator, @unchecked Sendable {
    let object: PyValue
    var i = 0
    init(_ object: PyValue) {
        self.object = object
        super.init()
    }
    override func next(_ ctx: ExecContext) throws -> PyValue? {
        do {
            defer { i += 1 }
            return try ctx.getItem(object, .int(i))
        } catch let e as PyError where e.isInstance(of: Builtins.indexErrorType) || e.isInstance(of: Builtins.stopIterationType) {
            return nil
        }
    }
}

/// A Swift closure as an iterator (map, filter, zip, enumerate, genexps of natives).
final class ClosureIterator: PyIterator, @unchecked Sendable {
    let body: (ExecContext) throws -> PyValue?
    let name: String
    init(name: String, type: PyType = Builtins.iteratorType, _ body: @escaping (ExecContext) throws -> PyValue?) {
        self.body = body
        self.name = name
        super.init(type: type)
    }
    override func next(_ ctx: ExecContext) throws -> PyValue? { try body(ctx) }
    override var kindName: String { name }
}

/// `dict.keys()`, `dict.values()`, `dict.items()`: live views.
public final class PyDictView: PyObject, @unchecked Sendable {
    let dict: PyDict
    let kind: DictIterator.Kind
    init(_ dict: PyDict, _ kind: DictIterator.Kind) {
        self.dict = dict
        self.kind = kind
        let t: PyType
        switch kind {
        case .keys: t = Builtins.dictKeysType
        case .values: t = Builtins.dictValuesType
        case .items: t = Builtins.dictItemsType
        }
        super.init(type: t)
    }

    var items: [PyValue] {
        switch kind {
        case .keys: return dict.keyList
        case .values: return dict.valueList
        case .items: return dict.pairs.map { .object(PyTuple([$0.key.value, $0.value])) }
        }
    }

    func contains(_ ctx: ExecContext, _ item: PyValue) throws -> Bool {
        switch kind {
        case .keys: return dict.contains(try PyKey.make(item, ctx))
        case .values: return try dict.valueList.contains { try ctx.equals($0, item) }
        case .items:
            guard let t = item.as(PyTuple.self), t.items.count == 2, let v = dict.get(try PyKey.make(t.items[0], ctx)) else { return false }
            return try ctx.equals(v, t.items[1])
        }
    }

    func asSet(_ ctx: ExecContext) throws -> PySet {
        let s = PySet()
        for x in items { s.insert(try PyKey.make(x, ctx)) }
        return s
    }

    func equals(_ ctx: ExecContext, _ other: PyDictView) throws -> Bool {
        guard kind == other.kind, kind != .values else { return false }
        return try ctx.equals(.object(asSet(ctx)), .object(other.asSet(ctx)))
    }
}

extension ExecContext {
    /// `iter(v)`.
    public func iter(_ v: PyValue) throws -> PyIterator {
        if let m = userOverride(v, "__iter__") { return try iteratorFrom(try callDescriptor(m, self: v, Args())) }
        return try builtinIter(v)
    }

    /// Wraps what `__iter__` returned.
    func iteratorFrom(_ it: PyValue) throws -> PyIterator {
        if case .object(let i as PyIterator) = it { return i }
        guard let next = special(it, "__next__") else {
            throw PyError.type("iter() returned non-iterator of type '\(it.typeName)'")
        }
        return UserIterator(it, next: next)
    }

    /// `iter(v)` for the builtin types, ignoring overrides in user subclasses.
    func builtinIter(_ v: PyValue) throws -> PyIterator {
        switch v {
        case .str(let s): return StringIterator(s)
        case .object(let o):
            switch o {
            case let it as PyIterator: return it
            case let l as PyList: return ListIterator(l)
            case let t as PyTuple: return ArrayIterator(t.items, name: "tuple_iterator")
            case let r as PyRange: return RangeIterator(r)
            case let d as PyDict: return DictIterator(d, .keys)
            case let s as PySet: return SetIterator(s)
            case let d as PyDictView: return DictIterator(d.dict, d.kind)
            default:
                if let m = special(v, "__iter__") { return try iteratorFrom(try callDescriptor(m, self: v, Args())) }
                if special(v, "__getitem__") != nil, !(o is PyType) { return SequenceIterator(v) }
            }
        default: break
        }
        throw PyError.type("'\(v.typeName)' object is not iterable")
    }

    /// Calls `body` for each element; `body` returns false to stop early.
    public func forEach(_ v: PyValue, _ body: (PyValue) throws -> Bool) throws {
        switch v {
        case .object(let l as PyList):
            var i = 0
            while i < l.items.count {
                if try !body(l.items[i]) { return }
                i += 1
            }
        case .object(let t as PyTuple):
            for x in t.items where try !body(x) { return }
        case .object(let r as PyRange):
            var x = r.start
            for _ in 0..<r.count {
                if try !body(.int(x)) { return }
                x = x &+ r.step
            }
        default:
            let it = try iter(v)
            while let x = try it.next(self) {
                try tick()
                if try !body(x) { return }
            }
        }
    }

    /// All elements of an iterable (`list(v)`).
    public func iterateToArray(_ v: PyValue) throws -> [PyValue] {
        switch v {
        case .object(let l as PyList): return l.items
        case .object(let t as PyTuple): return t.items
        default:
            var out: [PyValue] = []
            try forEach(v) { x in
                out.append(x)
                if out.count & 0xFFFF == 0 { try checkSize(out.count * 16) }
                return true
            }
            return out
        }
    }

    /// The pairs of a mapping (a dict, or an object with `keys()` and `__getitem__`), or of an
    /// iterable of pairs, for `dict(x)` and `d.update(x)`.
    public func mappingPairs(_ v: PyValue) throws -> [(PyKey, PyValue)] {
        if let d = v.as(PyDict.self) { return d.pairs.map { ($0.key, $0.value) } }
        if case .object(let o) = v, !(o is PyList), !(o is PyTuple), let keys = try lookupAttr(v, "keys") {
            var out: [(PyKey, PyValue)] = []
            try forEach(try call(keys, Args())) { k in
                out.append((try PyKey.make(k, self), try getItem(v, k)))
                return true
            }
            return out
        }
        var out: [(PyKey, PyValue)] = []
        var index = 0
        try forEach(v) { item in
            let pair: [PyValue]
            do {
                pair = try iterateToArray(item)
            } catch let e as PyError where e.isInstance(of: Builtins.typeErrorType) && e.exception.message.hasSuffix("is not iterable") {
                throw PyError.type("cannot convert dictionary update sequence element #\(index) to a sequence")
            }
            guard pair.count == 2 else {
                throw PyError.value("dictionary update sequence element #\(index) has length \(pair.count); 2 is required")
            }
            out.append((try PyKey.make(pair[0], self), pair[1]))
            index += 1
            return true
        }
        return out
    }

    /// Unpacks exactly `count` values (`a, b = x`), with CPython's messages.
    func unpack(_ v: PyValue, count: Int) throws -> [PyValue] {
        let items: [PyValue]
        switch v {
        case .object(let t as PyTuple): items = t.items
        case .object(let l as PyList): items = l.items
        default:
            guard (try? iter(v)) != nil else { throw PyError.type("cannot unpack non-iterable \(v.typeName) object") }
            let it = try iter(v)
            var out: [PyValue] = []
            while let x = try it.next(self) {
                out.append(x)
                if out.count > count { throw PyError.value("too many values to unpack (expected \(count))") }
            }
            items = out
        }
        if items.count < count { throw PyError.value("not enough values to unpack (expected \(count), got \(items.count))") }
        if items.count > count { throw PyError.value("too many values to unpack (expected \(count))") }
        return items
    }
}
