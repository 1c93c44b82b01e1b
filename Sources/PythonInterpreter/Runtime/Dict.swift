import BigInt

/// A hashable Python value used as a dict key or set element. Its hash is Python's (`hash(x)`)
/// for numbers and tuples, so `1`, `1.0` and `True` are the same key, as in Python.
public struct PyKey: Hashable, @unchecked Sendable {
    // Sendable proof: holds a PyValue, which is only touched under the interpreter lock.
    public let value: PyValue
    public let hash: Int

    init(value: PyValue, hash: Int) {
        self.value = value
        self.hash = hash
    }

    /// A string key (never fails).
    public init(_ s: String) {
        value = .str(s)
        hash = s.hashValue
    }

    /// The key for `v`, or `TypeError: unhashable type` for lists, dicts, sets and objects
    /// whose class sets `__hash__ = None`.
    public static func make(_ v: PyValue, _ ctx: ExecContext) throws -> PyKey {
        PyKey(value: v, hash: try ctx.hash(v))
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(hash) }

    public static func == (a: PyKey, b: PyKey) -> Bool {
        guard a.hash == b.hash else { return false }
        return PyKey.keysEqual(a.value, b.value)
    }

    /// Equality as a dict sees it: identity first, then value equality (user `__eq__` included).
    static func keysEqual(_ a: PyValue, _ b: PyValue) -> Bool {
        switch (a, b) {
        case (.str(let x), .str(let y)): return x.sameCodePoints(as: y)
        case (.int(let x), .int(let y)): return x == y
        case (.object(let x), .object(let y)) where x === y: return true
        default:
            guard let ctx = ExecContext.current else { return a.isIdentical(to: b) }
            do { return try ctx.equals(a, b) } catch {
                ctx.pendingKeyError = error
                return false
            }
        }
    }
}

/// Python's hash functions for numbers and tuples (CPython's algorithms, so sets of small ints
/// iterate in the order CPython shows).
enum PythonHash {
    static let modulus: UInt64 = (1 << 61) - 1

    static func int(_ i: Int) -> Int {
        let m = UInt64(i.magnitude) % modulus
        var h = i < 0 ? -Int(m) : Int(m)
        if h == -1 { h = -2 }
        return h
    }

    static func bigInt(_ b: BigInt) -> Int {
        let m = b.magnitude % BigUInt(modulus)
        let small = Int(m)
        var h = b.sign == .minus ? -small : small
        if h == -1 { h = -2 }
        return h
    }

    static func double(_ v: Double) -> Int {
        if v.isNaN { return 0 }
        if v.isInfinite { return v > 0 ? 314159 : -314159 }
        if let i = Int(exactly: v) { return int(i) }
        var m = frexp(v)
        var e = m.exponent
        var mant = m.fraction
        var sign: Int = 1
        if mant < 0 { sign = -1; mant = -mant }
        var x: UInt64 = 0
        while mant != 0 {
            x = ((x << 28) & modulus) | x >> (61 - 28)
            mant *= 268435456.0
            e -= 28
            let y = UInt64(mant)
            mant -= Double(y)
            x += y
            if x >= modulus { x -= modulus }
        }
        e = e >= 0 ? e % 61 : 61 - 1 - ((-1 - e) % 61)
        x = ((x << UInt64(e)) & modulus) | x >> UInt64(61 - e)
        var h = Int(x) * sign
        if h == -1 { h = -2 }
        m = (0, 0)
        _ = m
        return h
    }

    static func tuple(_ hashes: [Int]) -> Int {
        let p1: UInt64 = 11400714785074694791, p2: UInt64 = 14029467366897019727, p5: UInt64 = 2870177450012600261
        var acc = p5
        for h in hashes {
            acc = acc &+ UInt64(bitPattern: Int64(h)) &* p2
            acc = (acc << 31) | (acc >> 33)
            acc = acc &* p1
        }
        acc = acc &+ (UInt64(hashes.count) ^ (p5 ^ 3527539))
        if acc == UInt64.max { return 1546275796 }
        return Int(Int64(bitPattern: acc))
    }

    static func frexp(_ v: Double) -> (fraction: Double, exponent: Int) {
        if v == 0 { return (v, 0) }
        let e = v.exponent + 1
        return (v / Double(sign: .plus, exponent: e, significand: 1), e)
    }
}

/// A dict: insertion-ordered, with O(1) lookup, insertion and deletion.
public final class PyDict: PyObject, @unchecked Sendable {
    private var keys: [PyKey?] = []
    private var values: [PyValue] = []
    private var index: [PyKey: Int] = [:]
    public private(set) var count = 0
    /// Changes on every insertion or removal (iterators detect a size change with it).
    public private(set) var version = 0
    /// The attribute dict of an instance of a user subclass (nil for plain dicts).
    var attributes: PyDict?

    public init() {
        super.init(type: Builtins.dictType)
    }

    public override var instanceDict: PyDict? { attributes }

    deinit {
        if count > 0 {
            Trashcan.dispose((Swift.exchange(&keys, with: []), Swift.exchange(&values, with: []), Swift.exchange(&index, with: [:])))
        }
    }

    /// A dict made while the builtin types themselves are being built (its type is set on use).
    init(bootstrap: ()) {
        super.init(type: nil)
    }

    /// A dict with string keys.
    public convenience init(_ pairs: [(String, PyValue)]) {
        self.init()
        for (k, v) in pairs { setString(k, v) }
    }

    public func get(_ key: PyKey) -> PyValue? {
        guard let i = index[key] else { return nil }
        return values[i]
    }

    public func getString(_ key: String) -> PyValue? { get(PyKey(key)) }

    public func set(_ key: PyKey, _ value: PyValue) {
        if let i = index[key] {
            values[i] = value
            return
        }
        index[key] = keys.count
        keys.append(key)
        values.append(value)
        count += 1
        version &+= 1
    }

    public func setString(_ key: String, _ value: PyValue) { set(PyKey(key), value) }

    @discardableResult
    public func remove(_ key: PyKey) -> PyValue? {
        guard let i = index.removeValue(forKey: key) else { return nil }
        let v = values[i]
        keys[i] = nil
        values[i] = .none
        count -= 1
        version &+= 1
        compactIfSparse()
        return v
    }

    @discardableResult
    public func removeString(_ key: String) -> PyValue? { remove(PyKey(key)) }

    public func contains(_ key: PyKey) -> Bool { index[key] != nil }

    public func removeAll() {
        keys = []
        values = []
        index = [:]
        count = 0
        version &+= 1
    }

    /// Removes and returns the last pair (`popitem`).
    public func popLast() -> (PyKey, PyValue)? {
        while let last = keys.last {
            if let k = last {
                let v = values[values.count - 1]
                keys.removeLast()
                values.removeLast()
                index.removeValue(forKey: k)
                count -= 1
                version &+= 1
                return (k, v)
            }
            keys.removeLast()
            values.removeLast()
        }
        return nil
    }

    private func compactIfSparse() {
        guard keys.count > 16, count * 2 < keys.count else { return }
        var newKeys: [PyKey?] = []
        var newValues: [PyValue] = []
        newKeys.reserveCapacity(count)
        newValues.reserveCapacity(count)
        for (i, k) in keys.enumerated() {
            guard let k else { continue }
            index[k] = newKeys.count
            newKeys.append(k)
            newValues.append(values[i])
        }
        keys = newKeys
        values = newValues
    }

    /// The pairs in insertion order.
    public var pairs: [(key: PyKey, value: PyValue)] {
        var out: [(PyKey, PyValue)] = []
        out.reserveCapacity(count)
        for (i, k) in keys.enumerated() {
            if let k { out.append((k, values[i])) }
        }
        return out
    }

    public var keyList: [PyValue] { keys.compactMap { $0?.value } }
    public var valueList: [PyValue] {
        var out: [PyValue] = []
        out.reserveCapacity(count)
        for (i, k) in keys.enumerated() where k != nil { out.append(values[i]) }
        return out
    }

    /// Slot-based access for iterators, which must tolerate concurrent changes.
    var slotCount: Int { keys.count }
    func slot(_ i: Int) -> (PyKey, PyValue)? {
        guard i < keys.count, let k = keys[i] else { return nil }
        return (k, values[i])
    }

    public func copy() -> PyDict {
        let d = PyDict()
        for (k, v) in pairs { d.set(k, v) }
        return d
    }
}

/// A set or frozenset, stored as CPython stores them (open addressing with the same probing
/// and resizing), so iteration order matches CPython for numbers and tuples.
public final class PySet: PyObject, @unchecked Sendable {
    private struct Entry {
        var key: PyKey?
        var dummy = false
    }
    private var table: [Entry]
    private var mask: Int
    private var fill = 0
    public private(set) var count = 0
    public private(set) var version = 0
    public let frozen: Bool
    /// The attribute dict of an instance of a user subclass (nil for plain sets).
    var attributes: PyDict?
    public override var instanceDict: PyDict? { attributes }

    deinit {
        if count > 0 { Trashcan.dispose(Swift.exchange(&table, with: [])) }
    }

    public init(frozen: Bool = false) {
        table = Array(repeating: Entry(), count: 8)
        mask = 7
        self.frozen = frozen
        super.init(type: frozen ? Builtins.frozensetType : Builtins.setType)
    }

    private static let linearProbes = 9

    private func findSlot(_ key: PyKey, forInsert: Bool) -> (index: Int, found: Bool) {
        var perturb = UInt(bitPattern: key.hash)
        var i = Int(UInt(bitPattern: key.hash) & UInt(mask))
        var freeSlot: Int?
        while true {
            var probes = i + PySet.linearProbes <= mask ? PySet.linearProbes : 0
            var j = i
            while true {
                let e = table[j]
                if let k = e.key {
                    if k == key { return (j, true) }
                } else if e.dummy {
                    if freeSlot == nil { freeSlot = j }
                } else {
                    return (freeSlot ?? j, false)
                }
                if probes == 0 { break }
                probes -= 1
                j += 1
            }
            perturb >>= 5
            i = Int((UInt(i) &* 5 &+ 1 &+ perturb) & UInt(mask))
        }
    }

    public func contains(_ key: PyKey) -> Bool { findSlot(key, forInsert: false).found }

    /// Adds `key`; returns false if it was there already.
    @discardableResult
    public func insert(_ key: PyKey) -> Bool {
        let (i, found) = findSlot(key, forInsert: true)
        if found { return false }
        if !table[i].dummy { fill += 1 }
        table[i] = Entry(key: key, dummy: false)
        count += 1
        version &+= 1
        if fill * 5 >= mask * 3 { resize(count > 50000 ? count * 2 : count * 4) }
        return true
    }

    @discardableResult
    public func remove(_ key: PyKey) -> Bool {
        let (i, found) = findSlot(key, forInsert: false)
        guard found else { return false }
        table[i] = Entry(key: nil, dummy: true)
        count -= 1
        version &+= 1
        return true
    }

    private func resize(_ minUsed: Int) {
        var size = 8
        while size <= minUsed { size <<= 1 }
        let old = table
        table = Array(repeating: Entry(), count: size)
        mask = size - 1
        fill = 0
        count = 0
        for e in old { if let k = e.key { reinsert(k) } }
    }

    private func reinsert(_ key: PyKey) {
        let (i, _) = findSlot(key, forInsert: true)
        table[i] = Entry(key: key, dummy: false)
        fill += 1
        count += 1
    }

    public func removeAll() {
        table = Array(repeating: Entry(), count: 8)
        mask = 7
        fill = 0
        count = 0
        version &+= 1
    }

    /// Removes and returns an arbitrary element (the first in table order, as CPython's `pop`
    /// scans from a moving finger; close enough for a set whose order is unspecified).
    public func popFirst() -> PyKey? {
        for i in table.indices {
            if let k = table[i].key {
                table[i] = Entry(key: nil, dummy: true)
                count -= 1
                version &+= 1
                return k
            }
        }
        return nil
    }

    /// The elements in iteration order.
    public var elements: [PyKey] { table.compactMap(\.key) }
    public var values: [PyValue] { table.compactMap { $0.key?.value } }

    var slotCount: Int { table.count }
    func slot(_ i: Int) -> PyKey? { i < table.count ? table[i].key : nil }

    public func copy(frozen: Bool? = nil) -> PySet {
        let s = PySet(frozen: frozen ?? self.frozen)
        for k in elements { s.insert(k) }
        return s
    }
}
