import BigInt

extension ExecContext {
    // MARK: Truth

    /// `bool(v)`.
    public func truthy(_ v: PyValue) throws -> Bool {
        switch v {
        case .none: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .float(let d): return d != 0
        case .str(let s): return !s.isEmpty
        case .object(let o):
            switch o {
            case let l as PyList: return !l.items.isEmpty
            case let t as PyTuple: return !t.items.isEmpty
            case let d as PyDict: return d.count > 0
            case let s as PySet: return s.count > 0
            case is PyBigInt: return true
            case let r as PyRange: return r.count > 0
            default:
                if o.type.isBuiltin && !(o is PyInstance) { return true }
                if let r = try callSpecial(v, "__bool__") {
                    guard case .bool(let b) = r else { throw PyError.type("__bool__ should return bool, returned \(r.typeName)") }
                    return b
                }
                if let r = try callSpecial(v, "__len__") { return try lengthValue(r) != 0 }
                return true
            }
        }
    }

    // MARK: Equality and ordering

    /// `a == b`.
    public func equals(_ a: PyValue, _ b: PyValue) throws -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x == y
        case (.str(let x), .str(let y)): return x.sameCodePoints(as: y)
        case (.none, .none): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.float(let x), .float(let y)): return x == y
        case (.int, .float), (.float, .int), (.bool, .int), (.int, .bool), (.bool, .float), (.float, .bool):
            return try numericCompare(a, b) == 0
        default: break
        }
        if case .object(let x) = a, case .object(let y) = b, x === y, !(x is PyBigInt) {
            // Identity implies equality, except for NaN-like user types; Python's containers do this too.
            if x.type.isBuiltin { return true }
        }
        if let r = try richCompare(a, b, "__eq__", "__eq__") { return try truthy(r) }
        return try builtinEquals(a, b)
    }

    func builtinEquals(_ a: PyValue, _ b: PyValue) throws -> Bool {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            if x === y { return true }
            switch (x, y) {
            case (let p as PyBigInt, let q as PyBigInt): return p.value == q.value
            case (let p as PyList, let q as PyList): return try sequenceEquals(p.items, q.items)
            case (let p as PyTuple, let q as PyTuple): return try sequenceEquals(p.items, q.items)
            case (let p as PyDict, let q as PyDict):
                guard p.count == q.count else { return false }
                for (k, v) in p.pairs {
                    guard let w = q.get(k) else { return false }
                    if !(v.isIdentical(to: w)) { guard try equals(v, w) else { return false } }
                }
                return true
            case (let p as PySet, let q as PySet):
                return p.count == q.count && p.elements.allSatisfy { q.contains($0) }
            case (let p as PyRange, let q as PyRange):
                if p.count != q.count { return false }
                if p.count == 0 { return true }
                return p.start == q.start && (p.count == 1 || p.step == q.step)
            case (let p as PySlice, let q as PySlice):
                return try sequenceEquals([p.start, p.stop, p.step], [q.start, q.stop, q.step])
            case (let p as PyBoundMethod, let q as PyBoundMethod):
                return p.receiver.isIdentical(to: q.receiver) && p.function.isIdentical(to: q.function)
            case (let p as PyUnion, let q as PyUnion):
                // Unions compare as sets of members (`Optional[int] == Union[None, int]`).
                func normalized(_ v: PyValue) -> PyValue { v.isNone ? .object(Builtins.noneType) : v }
                let m = p.members.map(normalized), n = q.members.map(normalized)
                guard m.count == n.count else { return false }
                for x in m where try !n.contains(where: { try equals(x, $0) }) { return false }
                return true
            case (let p as PyTypingForm, let q as PyTypingForm):
                guard p.name == q.name, (p.args == nil) == (q.args == nil) else { return false }
                return try sequenceEquals(p.args ?? [], q.args ?? [])
            case (let p as PyGenericAlias, let q as PyGenericAlias):
                return try equals(p.origin, q.origin) && sequenceEquals(p.args, q.args)
            case (let p as PyDictView, let q as PyDictView):
                return try p.equals(self, q)
            case (let p as PyDictView, is PySet) where p.kind != .values:
                return try builtinEquals(.object(try p.asSet(self)), b)
            case (is PySet, let q as PyDictView) where q.kind != .values:
                return try builtinEquals(a, .object(try q.asSet(self)))
            default: return false
            }
        case (.object(let x as PyBigInt), _):
            if let y = b.bigInt { return x.value == y }; if case .float(let d) = b { return Arith.compare(x.value, d) == 0 }
        case (_, .object(let y as PyBigInt)):
            if let x = a.bigInt { return x == y.value }; if case .float(let d) = a { return Arith.compare(y.value, d) == 0 }
        default: break
        }
        return false
    }

    func sequenceEquals(_ a: [PyValue], _ b: [PyValue]) throws -> Bool {
        guard a.count == b.count else { return false }
        try checkStack()
        for i in a.indices {
            if a[i].isIdentical(to: b[i]) { continue }
            if try !equals(a[i], b[i]) { return false }
        }
        return true
    }

    /// Tries `a.op(b)`, then the reflected `b.rop(a)`, for user classes. Nil when neither side
    /// defines it (or both return NotImplemented).
    func richCompare(_ a: PyValue, _ b: PyValue, _ op: String, _ reflected: String) throws -> PyValue? {
        let aUser = isUserObject(a), bUser = isUserObject(b)
        guard aUser || bUser else { return nil }
        // A right operand whose type is a subclass of the left's gets the first try.
        if bUser, b.type !== a.type, b.type.isSubtype(of: a.type), let m = special(b, reflected), !isObjectSlot(m, reflected) {
            let r = try callDescriptor(m, self: b, Args([a]))
            if !isNotImplemented(r) { return r }
        }
        if aUser, let m = special(a, op), !isObjectSlot(m, op) {
            let r = try callDescriptor(m, self: a, Args([b]))
            if !isNotImplemented(r) { return r }
        }
        if bUser, let m = special(b, reflected), !isObjectSlot(m, reflected) {
            let r = try callDescriptor(m, self: b, Args([a]))
            if !isNotImplemented(r) { return r }
        }
        return nil
    }

    func isUserObject(_ v: PyValue) -> Bool {
        if case .object(let o) = v { return !o.type.isBuiltin || (o is PyInstance && o.type.lookup("__eq__") != nil && !(o is PyExceptionObject)) }
        return false
    }

    func isNotImplemented(_ v: PyValue) -> Bool { v.isIdentical(to: Builtins.notImplemented) }

    /// `a != b`.
    public func notEquals(_ a: PyValue, _ b: PyValue) throws -> Bool {
        if isUserObject(a) || isUserObject(b) {
            if let r = try richCompare(a, b, "__ne__", "__ne__") { return try truthy(r) }
            if let r = try richCompare(a, b, "__eq__", "__eq__") { return try !truthy(r) }
        }
        return try !equals(a, b)
    }

    /// Compares two numbers (int, bool, float, big int): -1, 0, 1, or nil when NaN is involved.
    func numericCompare(_ a: PyValue, _ b: PyValue) throws -> Int? {
        switch (a, b) {
        case (.float(let x), .float(let y)):
            if x.isNaN || y.isNaN { return nil }
            return x < y ? -1 : (x > y ? 1 : 0)
        case (.float(let x), _):
            guard let y = b.bigInt else { return nil }
            return Arith.compare(y, x).map { -$0 }
        case (_, .float(let y)):
            guard let x = a.bigInt else { return nil }
            return Arith.compare(x, y)
        default:
            if let x = a.smallInt, let y = b.smallInt { return x < y ? -1 : (x > y ? 1 : 0) }
            guard let x = a.bigInt, let y = b.bigInt else { return nil }
            return x < y ? -1 : (x > y ? 1 : 0)
        }
    }

    func isNumber(_ v: PyValue) -> Bool {
        switch v {
        case .int, .bool, .float: return true
        case .object(let o): return o is PyBigInt
        default: return false
        }
    }

    /// `a < b` and friends. `op` is one of `<`, `<=`, `>`, `>=`.
    public func compare(_ a: PyValue, _ b: PyValue, _ op: CompareOperator) throws -> Bool {
        if case .int(let x) = a, case .int(let y) = b {
            switch op {
            case .lt: return x < y
            case .ltE: return x <= y
            case .gt: return x > y
            default: return x >= y
            }
        }
        if isNumber(a) && isNumber(b) {
            guard let c = try numericCompare(a, b) else { return false }
            return test(c, op)
        }
        if case .str(let x) = a, case .str(let y) = b {
            return test(compareStrings(x, y), op)
        }
        let (name, reflected) = ExecContext.dunder(op)
        if let r = try richCompare(a, b, name, reflected) { return try truthy(r) }
        if case .object(let x) = a, case .object(let y) = b {
            switch (x, y) {
            case (let p as PyList, let q as PyList): return try test(sequenceCompare(p.items, q.items), op)
            case (let p as PyTuple, let q as PyTuple): return try test(sequenceCompare(p.items, q.items), op)
            case (let p as PySet, let q as PySet):
                switch op {
                case .lt: return p.count < q.count && p.elements.allSatisfy { q.contains($0) }
                case .ltE: return p.elements.allSatisfy { q.contains($0) }
                case .gt: return q.count < p.count && q.elements.allSatisfy { p.contains($0) }
                default: return q.elements.allSatisfy { p.contains($0) }
                }
            default: break
            }
        }
        throw PyError.type("'\(op.rawValue)' not supported between instances of '\(a.typeName)' and '\(b.typeName)'")
    }

    static func dunder(_ op: CompareOperator) -> (String, String) {
        switch op {
        case .lt: return ("__lt__", "__gt__")
        case .ltE: return ("__le__", "__ge__")
        case .gt: return ("__gt__", "__lt__")
        default: return ("__ge__", "__le__")
        }
    }

    func test(_ c: Int, _ op: CompareOperator) -> Bool {
        switch op {
        case .lt: return c < 0
        case .ltE: return c <= 0
        case .gt: return c > 0
        default: return c >= 0
        }
    }

    /// Python orders strings by code point.
    func compareStrings(_ a: String, _ b: String) -> Int {
        if a == b { return 0 }
        var i = a.unicodeScalars.makeIterator(), j = b.unicodeScalars.makeIterator()
        while true {
            switch (i.next(), j.next()) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case (let x?, let y?): if x != y { return x.value < y.value ? -1 : 1 }
            }
        }
    }

    /// Lexicographic comparison; elements compare with `==` first, then `<`.
    func sequenceCompare(_ a: [PyValue], _ b: [PyValue]) throws -> Int {
        try checkStack()
        for i in 0..<min(a.count, b.count) {
            if a[i].isIdentical(to: b[i]) { continue }
            if try equals(a[i], b[i]) { continue }
            return try compare(a[i], b[i], .lt) ? -1 : 1
        }
        return a.count < b.count ? -1 : (a.count > b.count ? 1 : 0)
    }

    /// For `sort`: a total order that raises Python's TypeError for mixed types.
    func lessThan(_ a: PyValue, _ b: PyValue) throws -> Bool { try compare(a, b, .lt) }

    // MARK: Hashing

    /// `hash(v)`, or `TypeError: unhashable type`.
    public func hash(_ v: PyValue) throws -> Int {
        switch v {
        case .none: return 0x5F3759DF
        case .bool(let b): return b ? 1 : 0
        case .int(let i): return PythonHash.int(i)
        case .float(let d): return PythonHash.double(d)
        case .str(let s): return s.hashValue
        case .object(let o):
            switch o {
            case let b as PyBigInt: return PythonHash.bigInt(b.value)
            case let t as PyTuple:
                try checkStack()
                return PythonHash.tuple(try t.items.map { try hash($0) })
            case let s as PySet where s.frozen:
                var h = 1927868237 &* (s.count + 1)
                for k in s.elements { h ^= (k.hash ^ (k.hash << 16) ^ 89869747) &* 3644798167 }
                return h
            case is PyList, is PyDict, is PySet:
                throw PyError.type("unhashable type: '\(o.type.name)'")
            case let r as PyRange:
                return PythonHash.tuple([PythonHash.int(r.count), PythonHash.int(r.start), PythonHash.int(r.step)])
            default:
                if !o.type.isBuiltin || o is PyInstance {
                    if let h = o.type.lookup("__hash__") {
                        if h.isNone { throw PyError.type("unhashable type: '\(o.type.name)'") }
                        if !isObjectSlot(h, "__hash__") {
                            let r = try callDescriptor(h, self: v, Args())
                            guard let i = r.smallInt ?? r.bigInt.map({ PythonHash.bigInt($0) }) else {
                                throw PyError.type("__hash__ method should return an integer")
                            }
                            return i == -1 ? -2 : i
                        }
                    }
                    if let eq = o.type.lookup("__eq__"), !isObjectSlot(eq, "__eq__"), !isBuiltinSlot(eq) {
                        // A class that defines __eq__ without __hash__ is unhashable.
                        throw PyError.type("unhashable type: '\(o.type.name)'")
                    }
                }
                return ObjectIdentifier(o).hashValue >> 4
            }
        }
    }

    // MARK: Arithmetic

    public func binaryOp(_ op: BinaryOperator, _ a: PyValue, _ b: PyValue) throws -> PyValue {
        // Fast paths for machine ints.
        if case .int(let x) = a, case .int(let y) = b {
            switch op {
            case .add: return Arith.add(x, y)
            case .sub: return Arith.sub(x, y)
            case .mul: return Arith.mul(x, y)
            case .floorDiv: return try Arith.floorDiv(x, y)
            case .mod: return try Arith.mod(x, y)
            case .div:
                guard y != 0 else { throw PyError.zeroDivision("division by zero") }
                if x.magnitude < (1 << 53) && y.magnitude < (1 << 53) { return .float(Double(x) / Double(y)) }
                return try Arith.trueDiv(BigInt(x), BigInt(y))
            default: break
            }
        }
        if let r = try numericOp(op, a, b) { return r }
        if let r = try sequenceOp(op, a, b) { return r }
        let (name, reflected) = ExecContext.dunder(op)
        if let r = try richCompare(a, b, name, reflected) { return r }
        if op == .mod, case .str(let s) = a, !isUserObject(b) { return .str(try PercentFormat.format(self, s, b)) }
        throw unsupported(op.rawValue, a, b)
    }

    func unsupported(_ op: String, _ a: PyValue, _ b: PyValue) -> PyError {
        if op == "+", case .str = a, !isNumber(b) || true, !(b.stringValue != nil) {
            if case .str = a { return PyError.type("can only concatenate str (not \"\(b.typeName)\") to str") }
        }
        if op == "+", case .object(let o) = a, o is PyList, !(b.as(PyList.self) != nil) {
            return PyError.type("can only concatenate list (not \"\(b.typeName)\") to list")
        }
        if op == "+", case .object(let o) = a, o is PyTuple, !(b.as(PyTuple.self) != nil) {
            return PyError.type("can only concatenate tuple (not \"\(b.typeName)\") to tuple")
        }
        if op == "*" {
            for (seq, other) in [(a, b), (b, a)] where isSequence(seq) && !other.isIntLike && !isUserObject(other) {
                return PyError.type("can't multiply sequence by non-int of type '\(other.typeName)'")
            }
        }
        let shown = op == "**" ? "** or pow()" : op
        return PyError.type("unsupported operand type(s) for \(shown): '\(a.typeName)' and '\(b.typeName)'")
    }

    /// Whether `v` is a str, list or tuple (the types `*` repeats).
    func isSequence(_ v: PyValue) -> Bool {
        switch v {
        case .str: return true
        case .object(let o): return o is PyList || o is PyTuple
        default: return false
        }
    }

    static func dunder(_ op: BinaryOperator) -> (String, String) {
        switch op {
        case .add: return ("__add__", "__radd__")
        case .sub: return ("__sub__", "__rsub__")
        case .mul: return ("__mul__", "__rmul__")
        case .matMul: return ("__matmul__", "__rmatmul__")
        case .div: return ("__truediv__", "__rtruediv__")
        case .floorDiv: return ("__floordiv__", "__rfloordiv__")
        case .mod: return ("__mod__", "__rmod__")
        case .pow: return ("__pow__", "__rpow__")
        case .lshift: return ("__lshift__", "__rlshift__")
        case .rshift: return ("__rshift__", "__rrshift__")
        case .bitOr: return ("__or__", "__ror__")
        case .bitXor: return ("__xor__", "__rxor__")
        case .bitAnd: return ("__and__", "__rand__")
        }
    }

    static func inplaceDunder(_ op: BinaryOperator) -> String {
        "__i" + dunder(op).0.dropFirst(2)
    }

    /// `a op= b`: in place for lists, sets and dicts (and user `__iadd__`), else `a op b`.
    public func inplaceOp(_ op: BinaryOperator, _ a: PyValue, _ b: PyValue) throws -> PyValue {
        if case .object(let o) = a {
            switch (op, o) {
            case (.add, let l as PyList):
                l.items.append(contentsOf: try iterateToArray(b))
                return a
            case (.mul, let l as PyList):
                guard let n = b.smallInt else { break }
                let base = l.items
                try checkSize(base.count, times: n)
                l.items = n <= 0 ? [] : Array([[PyValue]](repeating: base, count: n).joined())
                return a
            case (.bitOr, let d as PyDict):
                for (k, v) in try mappingPairs(b) { d.set(k, v) }
                return a
            case (_, let s as PySet) where !s.frozen && [.bitOr, .bitAnd, .sub, .bitXor].contains(op):
                guard let other = b.as(PySet.self) else { break }
                switch op {
                case .bitOr: for k in other.elements { s.insert(k) }
                case .bitAnd: for k in s.elements where !other.contains(k) { s.remove(k) }
                case .sub: for k in other.elements { s.remove(k) }
                default:
                    for k in other.elements { if s.contains(k) { s.remove(k) } else { s.insert(k) } }
                }
                return a
            default:
                if isUserObject(a), let m = special(a, ExecContext.inplaceDunder(op)) {
                    let r = try callDescriptor(m, self: a, Args([b]))
                    if !isNotImplemented(r) { return r }
                }
            }
        }
        return try binaryOp(op, a, b)
    }

    func numericOp(_ op: BinaryOperator, _ a: PyValue, _ b: PyValue) throws -> PyValue? {
        guard isNumber(a) && isNumber(b) else { return nil }
        if case .float = a {
        } else if case .float = b {
        } else {
            // Both integral (int, bool, big int).
            guard let x = a.bigInt, let y = b.bigInt else { return nil }
            if let sx = a.smallInt, let sy = b.smallInt {
                switch op {
                case .add: return Arith.add(sx, sy)
                case .sub: return Arith.sub(sx, sy)
                case .mul: return Arith.mul(sx, sy)
                case .floorDiv: return try Arith.floorDiv(sx, sy)
                case .mod: return try Arith.mod(sx, sy)
                case .bitAnd:
                    if case .bool(let p) = a, case .bool(let q) = b { return .bool(p && q) }
                    return .int(sx & sy)
                case .bitOr:
                    if case .bool(let p) = a, case .bool(let q) = b { return .bool(p || q) }
                    return .int(sx | sy)
                case .bitXor:
                    if case .bool(let p) = a, case .bool(let q) = b { return .bool(p != q) }
                    return .int(sx ^ sy)
                default: break
                }
            }
            if op == .bitAnd, case .bool(let p) = a, case .bool(let q) = b { return .bool(p && q) }
            switch op {
            case .add: return .int(x + y)
            case .sub: return .int(x - y)
            case .mul:
                if x.magnitude.bitWidth + y.magnitude.bitWidth > interpreter.options.maxIntegerBits {
                    throw PyError.memory("integer result too large")
                }
                return .int(x * y)
            case .floorDiv: return try Arith.bigFloorDiv(x, y)
            case .mod: return try Arith.bigMod(x, y)
            case .div: return try Arith.trueDiv(x, y)
            case .pow: return try Arith.pow(x, y, maxBits: interpreter.options.maxIntegerBits)
            case .bitAnd: return .int(x & y)
            case .bitOr: return .int(x | y)
            case .bitXor: return .int(x ^ y)
            case .lshift:
                guard y.sign == .plus else { throw PyError.value("negative shift count") }
                guard let s = Int(exactly: y), s <= interpreter.options.maxIntegerBits else { throw PyError.overflow("too many digits in integer") }
                if x.isZero { return .int(0) }
                if x.magnitude.bitWidth + s > interpreter.options.maxIntegerBits { throw PyError.memory("integer result of << is too large") }
                return .int(x << s)
            case .rshift:
                guard y.sign == .plus else { throw PyError.value("negative shift count") }
                guard let s = Int(exactly: y), s < Int.max / 2 else { return .int(x.sign == .minus ? -1 : 0) }
                return .int(x >> s)
            case .matMul: return nil
            }
        }
        let x = try toDouble(a), y = try toDouble(b)
        switch op {
        case .add: return .float(x + y)
        case .sub: return .float(x - y)
        case .mul: return .float(x * y)
        case .div:
            guard y != 0 else { throw PyError.zeroDivision("float division by zero") }
            return .float(x / y)
        case .floorDiv: return .float(try Arith.floatFloorDiv(x, y))
        case .mod: return .float(try Arith.floatMod(x, y))
        case .pow: return .float(try Arith.floatPow(x, y))
        default: return nil
        }
    }

    /// A number as a float (`float(x)` for ints, with OverflowError for huge ones).
    public func toDouble(_ v: PyValue) throws -> Double {
        switch v {
        case .float(let d): return d
        case .int(let i): return Double(i)
        case .bool(let b): return b ? 1 : 0
        case .object(let o as PyBigInt): return try Arith.toDouble(o.value)
        default: throw PyError.type("must be real number, not \(v.typeName)")
        }
    }

    func sequenceOp(_ op: BinaryOperator, _ a: PyValue, _ b: PyValue) throws -> PyValue? {
        switch (op, a, b) {
        case (.add, .str(let x), .str(let y)):
            try checkSize(x.utf8.count + y.utf8.count)
            return .str(x + y)
        case (.mul, .str(let s), _) where b.isIntLike:
            return .str(try repeatString(s, b))
        case (.mul, _, .str(let s)) where a.isIntLike:
            return .str(try repeatString(s, a))
        case (.add, .object(let x as PyList), .object(let y as PyList)):
            return .object(PyList(x.items + y.items))
        case (.add, .object(let x as PyTuple), .object(let y as PyTuple)):
            return .object(PyTuple(x.items + y.items))
        case (.mul, .object(let l as PyList), _) where b.isIntLike:
            return .object(PyList(try repeatArray(l.items, b)))
        case (.mul, _, .object(let l as PyList)) where a.isIntLike:
            return .object(PyList(try repeatArray(l.items, a)))
        case (.mul, .object(let t as PyTuple), _) where b.isIntLike:
            return .object(PyTuple(try repeatArray(t.items, b)))
        case (.mul, _, .object(let t as PyTuple)) where a.isIntLike:
            return .object(PyTuple(try repeatArray(t.items, a)))
        case (.bitOr, .object(let x as PyDict), .object(let y as PyDict)):
            let d = x.copy()
            for (k, v) in y.pairs { d.set(k, v) }
            return .object(d)
        case (_, .object(let x as PySet), .object(let y as PySet)):
            let r = PySet(frozen: x.frozen)
            switch op {
            case .bitOr:
                for k in x.elements { r.insert(k) }
                for k in y.elements { r.insert(k) }
            case .bitAnd: for k in x.elements where y.contains(k) { r.insert(k) }
            case .sub: for k in x.elements where !y.contains(k) { r.insert(k) }
            case .bitXor:
                for k in x.elements where !y.contains(k) { r.insert(k) }
                for k in y.elements where !x.contains(k) { r.insert(k) }
            default: return nil
            }
            return .object(r)
        case (.sub, .object(let x as PyDictView), .object(let y as PySet)):
            return try sequenceOp(op, .object(try x.asSet(self)), .object(y))
        case (_, .object(let x as PyDictView), _) where [.bitOr, .bitAnd, .sub, .bitXor].contains(op):
            let other: PySet
            if let s = b.as(PySet.self) { other = s } else if let v = b.as(PyDictView.self) { other = try v.asSet(self) } else { return nil }
            return try sequenceOp(op, .object(try x.asSet(self)), .object(other))
        default:
            return nil
        }
    }

    func repeatCount(_ n: PyValue) throws -> Int {
        if let i = n.smallInt { return max(0, i) }
        if let b = n.bigInt {
            if b.sign == .minus { return 0 }
            throw PyError.overflow("cannot fit 'int' into an index-sized integer")
        }
        return 0
    }

    func repeatString(_ s: String, _ n: PyValue) throws -> String {
        let count = try repeatCount(n)
        if s.isEmpty || count == 0 { return "" }
        try checkSize(s.utf8.count, times: count)
        return String.repeating(s, count: count)
    }

    func repeatArray(_ items: [PyValue], _ n: PyValue) throws -> [PyValue] {
        let count = try repeatCount(n)
        if items.isEmpty || count == 0 { return [] }
        try checkSize(items.count * 8, times: count)
        var out: [PyValue] = []
        out.reserveCapacity(items.count * count)
        for _ in 0..<count { out.append(contentsOf: items) }
        return out
    }

    /// Refuses to build a value larger than the session's memory limit.
    func checkSize(_ bytes: Int, times n: Int = 1) throws {
        let (total, overflow) = bytes.multipliedReportingOverflow(by: max(n, 0))
        if overflow || total > interpreter.maxValueBytes {
            throw PyError.memory("the result would need more than \(interpreter.maxValueBytes >> 20) MB (the session's limit for one value)")
        }
    }

    public func unaryOp(_ op: UnaryOperator, _ v: PyValue) throws -> PyValue {
        switch op {
        case .not: return .bool(try !truthy(v))
        case .minus:
            switch v {
            case .int(let i): return i == Int.min ? .int(-BigInt(i)) : .int(-i)
            case .bool(let b): return .int(b ? -1 : 0)
            case .float(let d): return .float(-d)
            case .object(let o as PyBigInt): return .int(-o.value)
            default: break
            }
            if let r = try callSpecial(v, "__neg__") { return r }
        case .plus:
            switch v {
            case .int, .float: return v
            case .bool(let b): return .int(b ? 1 : 0)
            case .object(let o as PyBigInt): return .object(o)
            default: break
            }
            if let r = try callSpecial(v, "__pos__") { return r }
        case .invert:
            switch v {
            case .int(let i): return .int(~i)
            case .bool(let b): return .int(b ? -2 : -1)
            case .object(let o as PyBigInt): return .int(-o.value - 1)
            default: break
            }
            if let r = try callSpecial(v, "__invert__") { return r }
        }
        throw PyError.type("bad operand type for unary \(op.rawValue): '\(v.typeName)'")
    }

    // MARK: Containers

    /// `len(v)`.
    public func len(_ v: PyValue) throws -> Int {
        if let m = userOverride(v, "__len__") { return try lengthValue(try callDescriptor(m, self: v, Args())) }
        switch v {
        case .str(let s): return StringIndex.count(s)
        case .object(let o):
            switch o {
            case let l as PyList: return l.items.count
            case let t as PyTuple: return t.items.count
            case let d as PyDict: return d.count
            case let s as PySet: return s.count
            case let r as PyRange: return r.count
            case let d as PyDictView: return d.dict.count
            default:
                if let r = try callSpecial(v, "__len__") { return try lengthValue(r) }
            }
        default: break
        }
        throw PyError.type("object of type '\(v.typeName)' has no len()")
    }

    func lengthValue(_ r: PyValue) throws -> Int {
        guard let n = r.smallInt else {
            if r.bigInt != nil { throw PyError.overflow("cannot fit 'int' into an index-sized integer") }
            throw PyError.type("'\(r.typeName)' object cannot be interpreted as an integer")
        }
        if n < 0 { throw PyError.value("__len__() should return >= 0") }
        return n
    }

    /// `item in container`.
    public func contains(_ container: PyValue, _ item: PyValue) throws -> Bool {
        if let m = userOverride(container, "__contains__") { return try truthy(try callDescriptor(m, self: container, Args([item]))) }
        return try builtinContains(container, item)
    }

    /// `item in container` for the builtin types, ignoring overrides in user subclasses.
    func builtinContains(_ container: PyValue, _ item: PyValue) throws -> Bool {
        switch container {
        case .str(let s):
            guard case .str(let sub) = item else {
                throw PyError.type("'in <string>' requires string as left operand, not \(item.typeName)")
            }
            return sub.isEmpty || s.contains(sub)
        case .object(let o):
            switch o {
            case let l as PyList:
                for x in l.items where try x.isIdentical(to: item) || equals(x, item) { return true }
                return false
            case let t as PyTuple:
                for x in t.items where try x.isIdentical(to: item) || equals(x, item) { return true }
                return false
            case let d as PyDict: return d.contains(try PyKey.make(item, self))
            case let s as PySet: return s.contains(try PyKey.make(item, self))
            case let r as PyRange:
                if let i = item.smallInt, case .int = item {
                    if r.step > 0 ? (i < r.start || i >= r.stop) : (i > r.start || i <= r.stop) { return false }
                    return (i - r.start) % r.step == 0
                }
                var found = false
                try forEach(container) { x in
                    if try equals(x, item) { found = true; return false }; return true
                }
                return found
            case let v as PyDictView: return try v.contains(self, item)
            default:
                if let m = special(container, "__contains__") {
                    return try truthy(try callDescriptor(m, self: container, Args([item])))
                }
                var found = false
                try forEach(container) { x in
                    if try x.isIdentical(to: item) || equals(x, item) { found = true; return false }
                    return true
                }
                return found
            }
        default:
            throw PyError.type("argument of type '\(container.typeName)' is not iterable")
        }
    }
}
