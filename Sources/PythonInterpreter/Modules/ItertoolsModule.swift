/// `itertools`: lazy iterators, implemented in Swift (no generator threads).
enum ItertoolsModule {
    static func make() -> PyModule {
        let m = PyModule(name: "itertools", doc: "Functional tools for creating and using iterators.")
        m.define("chain", .object(Builtins.chainType))
        m.function("count", "count(start=0, step=1)", doc: "Return a count object whose .__next__() method returns consecutive values.") { ctx, a in
            let p = try a.bind("count", ["start", "step"])
            var current = p[0] ?? .int(0)
            let step = p[1] ?? .int(1)
            for v in [current, step] where !ctx.isNumber(v) { throw PyError.type("a number is required") }
            return iterator("count") { ctx in
                defer { current = (try? ctx.binaryOp(.add, current, step)) ?? current }
                return current
            }
        }
        m.function("repeat", "repeat(object, times=None)", doc: "Repeat the object `times` times (forever when omitted).") { ctx, a in
            let p = try a.bind("repeat", ["object", "times"], required: 1)
            let value = p[0] ?? .none
            var remaining = try p[1].map { try ctx.intArg($0) }
            return iterator("repeat") { _ in
                if let r = remaining {
                    guard r > 0 else { return nil }
                    remaining = r - 1
                }
                return value
            }
        }
        m.function(
            "cycle", "cycle(iterable, /)", doc: "Return elements from the iterable until it is exhausted, then repeat the sequence indefinitely."
        ) { ctx, a in
            try a.check("cycle", min: 1, max: 1)
            let it = try ctx.iter(a[0])
            var saved: [PyValue] = []
            var index = -1
            return iterator("cycle") { ctx in
                if index < 0 {
                    if let v = try it.next(ctx) {
                        saved.append(v)
                        return v
                    }
                    guard !saved.isEmpty else { return nil }
                    index = 0
                }
                guard !saved.isEmpty else { return nil }
                defer { index = (index + 1) % saved.count }
                return saved[index]
            }
        }
        m.function(
            "islice", "islice(iterable, stop) / islice(iterable, start, stop[, step])",
            doc: "Return an iterator whose next() method returns selected values from an iterable."
        ) { ctx, a in
            try a.check("islice", min: 2, max: 4)
            func bound(_ v: PyValue, _ what: String) throws -> Int? {
                if v.isNone { return nil }
                guard let i = v.smallInt, i >= 0 else {
                    throw PyError.value("\(what) argument for islice() must be None or an integer: 0 <= x <= sys.maxsize.")
                }
                return i
            }
            let start: Int, stop: Int?, step: Int
            if a.count == 2 {
                start = 0
                stop = try bound(a[1], "Stop")
                step = 1
            } else {
                start = try bound(a[1], "Indices") ?? 0
                stop = try bound(a[2], "Stop")
                let s = a.count == 4 ? try bound(a[3], "Step") : 1
                guard s != 0 else { throw PyError.value("Step for islice() must be a positive integer or None.") }
                step = s ?? 1
            }
            let it = try ctx.iter(a[0])
            var position = 0
            var nextWanted = start
            return iterator("islice") { ctx in
                if let stop, nextWanted >= stop {
                    // Consume up to `stop`, as CPython does, then end.
                    while position < stop, try it.next(ctx) != nil { position += 1 }
                    return nil
                }
                while true {
                    guard let v = try it.next(ctx) else { return nil }
                    position += 1
                    if position - 1 == nextWanted {
                        nextWanted += step
                        return v
                    }
                }
            }
        }
        m.function("product", "product(*iterables, repeat=1)", doc: "Cartesian product of input iterables.") { ctx, a in
            var repeatCount = 1
            for (k, v) in a.keywords {
                guard k == "repeat" else { throw PyError.type("product() got an unexpected keyword argument '\(k)'") }
                repeatCount = try ctx.intArg(v)
            }
            guard repeatCount >= 0 else { throw PyError.value("repeat argument cannot be negative") }
            let pools = try a.positional.map { try ctx.iterateToArray($0) }
            var allPools: [[PyValue]] = []
            for _ in 0..<repeatCount { allPools.append(contentsOf: pools) }
            var indices = [Int](repeating: 0, count: allPools.count)
            var done = allPools.contains { $0.isEmpty }
            var first = true
            return iterator("product") { _ in
                if done { return nil }
                if first {
                    first = false
                } else {
                    var i = allPools.count - 1
                    while i >= 0 {
                        indices[i] += 1
                        if indices[i] < allPools[i].count { break }
                        indices[i] = 0
                        i -= 1
                    }
                    if i < 0 {
                        done = true
                        return nil
                    }
                }
                return .object(PyTuple(indices.enumerated().map { allPools[$0.offset][$0.element] }))
            }
        }
        m.function("permutations", "permutations(iterable, r=None)", doc: "Return successive r-length permutations of elements in the iterable.") {
            ctx, a in
            let p = try a.bind("permutations", ["iterable", "r"], required: 1)
            let pool = try ctx.iterateToArray(p[0] ?? .none)
            let n = pool.count
            let r = try ctx.optional(p[1]).map { try ctx.intArg($0) } ?? n
            guard r >= 0 else { throw PyError.value("r must be non-negative") }
            var indices = Array(0..<n)
            var cycles = Array(stride(from: n, to: n - r, by: -1))
            var first = true
            var done = r > n
            return iterator("permutations") { _ in
                if done { return nil }
                if first {
                    first = false
                    return .object(PyTuple(indices.prefix(r).map { pool[$0] }))
                }
                var i = r - 1
                while i >= 0 {
                    cycles[i] -= 1
                    if cycles[i] == 0 {
                        let moved = indices.remove(at: i)
                        indices.append(moved)
                        cycles[i] = n - i
                    } else {
                        let j = cycles[i]
                        indices.swapAt(i, n - j)
                        return .object(PyTuple(indices.prefix(r).map { pool[$0] }))
                    }
                    i -= 1
                }
                done = true
                return nil
            }
        }
        for withReplacement in [false, true] {
            let name = withReplacement ? "combinations_with_replacement" : "combinations"
            m.function(name, "\(name)(iterable, r)", doc: "Return successive r-length combinations of elements in the iterable.") { ctx, a in
                let p = try a.bind(name, ["iterable", "r"], required: 2)
                let pool = try ctx.iterateToArray(p[0] ?? .none)
                let n = pool.count
                let r = try ctx.intArg(p[1] ?? .int(0))
                guard r >= 0 else { throw PyError.value("r must be non-negative") }
                var indices = withReplacement ? [Int](repeating: 0, count: r) : Array(0..<r)
                var first = true
                var done = withReplacement ? (n == 0 && r > 0) : r > n
                return iterator(name) { _ in
                    if done { return nil }
                    if first {
                        first = false
                        return .object(PyTuple(indices.map { pool[$0] }))
                    }
                    var i = r - 1
                    if withReplacement {
                        while i >= 0 && indices[i] == n - 1 { i -= 1 }
                        if i < 0 { done = true; return nil }
                        let v = indices[i] + 1
                        for j in i..<r { indices[j] = v }
                    } else {
                        while i >= 0 && indices[i] == i + n - r { i -= 1 }
                        if i < 0 { done = true; return nil }
                        indices[i] += 1
                        for j in (i + 1)..<max(r, i + 1) { indices[j] = indices[j - 1] + 1 }
                    }
                    return .object(PyTuple(indices.map { pool[$0] }))
                }
            }
        }
        m.function(
            "zip_longest", "zip_longest(*iterables, fillvalue=None)",
            doc: "Aggregate elements from each iterable, filling missing values with fillvalue."
        ) { ctx, a in
            var fill = PyValue.none
            for (k, v) in a.keywords {
                guard k == "fillvalue" else { throw PyError.type("zip_longest() got an unexpected keyword argument '\(k)'") }
                fill = v
            }
            let its = try a.positional.map { try ctx.iter($0) }
            var active = [Bool](repeating: true, count: its.count)
            var remaining = its.count
            return iterator("zip_longest") { ctx in
                guard remaining > 0 else { return nil }
                var row: [PyValue] = []
                for (i, it) in its.enumerated() {
                    if active[i], let v = try it.next(ctx) {
                        row.append(v)
                    } else {
                        if active[i] {
                            active[i] = false
                            remaining -= 1
                        }
                        row.append(fill)
                    }
                }
                return remaining > 0 ? .object(PyTuple(row)) : nil
            }
        }
        m.function("groupby", "groupby(iterable, key=None)", doc: "Make an iterator that returns consecutive keys and groups from the iterable.") {
            ctx, a in
            let p = try a.bind("groupby", ["iterable", "key"], required: 1)
            let state = GroupbyState(try ctx.iter(p[0] ?? .none), key: ctx.optional(p[1]))
            return iterator("groupby") { ctx in try state.nextGroup(ctx) }
        }
        m.function(
            "accumulate", "accumulate(iterable, func=None, *, initial=None)",
            doc: "Return series of accumulated sums (or other binary function results)."
        ) { ctx, a in
            let p = try a.bind("accumulate", ["iterable", "func", "initial"], required: 1)
            let it = try ctx.iter(p[0] ?? .none)
            let function = ctx.optional(p[1])
            var total = ctx.optional(p[2])
            var emittedInitial = total == nil
            return iterator("accumulate") { ctx in
                if !emittedInitial {
                    emittedInitial = true
                    return total
                }
                guard let v = try it.next(ctx) else { return nil }
                if let t = total {
                    total = try function.map { try ctx.call($0, Args([t, v])) } ?? ctx.binaryOp(.add, t, v)
                } else {
                    total = v
                }
                return total
            }
        }
        m.function("starmap", "starmap(function, iterable, /)") { ctx, a in
            try a.check("starmap", min: 2, max: 2)
            let function = a[0]
            let it = try ctx.iter(a[1])
            return iterator("starmap") { ctx in
                guard let v = try it.next(ctx) else { return nil }
                return try ctx.call(function, Args(try ctx.iterateToArray(v)))
            }
        }
        for (name, keepWhileTrue) in [("takewhile", true), ("dropwhile", false)] {
            m.function(name, "\(name)(predicate, iterable, /)") { ctx, a in
                try a.check(name, min: 2, max: 2)
                let predicate = a[0]
                let it = try ctx.iter(a[1])
                var switched = false
                return iterator(name) { ctx in
                    if keepWhileTrue {
                        if switched { return nil }
                        guard let v = try it.next(ctx) else { return nil }
                        if try ctx.truthy(try ctx.call(predicate, Args([v]))) { return v }
                        switched = true
                        return nil
                    }
                    while let v = try it.next(ctx) {
                        if switched { return v }
                        if try !ctx.truthy(try ctx.call(predicate, Args([v]))) {
                            switched = true
                            return v
                        }
                    }
                    return nil
                }
            }
        }
        m.function("filterfalse", "filterfalse(function, iterable, /)") { ctx, a in
            try a.check("filterfalse", min: 2, max: 2)
            let predicate = a[0]
            let it = try ctx.iter(a[1])
            return iterator("filterfalse") { ctx in
                while let v = try it.next(ctx) {
                    let keep = predicate.isNone ? try !ctx.truthy(v) : try !ctx.truthy(try ctx.call(predicate, Args([v])))
                    if keep { return v }
                }
                return nil
            }
        }
        m.function("compress", "compress(data, selectors)") { ctx, a in
            let p = try a.bind("compress", ["data", "selectors"], required: 2)
            let data = try ctx.iter(p[0] ?? .none), selectors = try ctx.iter(p[1] ?? .none)
            return iterator("compress") { ctx in
                while let v = try data.next(ctx), let s = try selectors.next(ctx) {
                    if try ctx.truthy(s) { return v }
                }
                return nil
            }
        }
        m.function("pairwise", "pairwise(iterable, /)", doc: "Return an iterator of overlapping pairs taken from the input iterator.") { ctx, a in
            try a.check("pairwise", min: 1, max: 1)
            let it = try ctx.iter(a[0])
            var previous: PyValue?
            return iterator("pairwise") { ctx in
                if previous == nil { previous = try it.next(ctx) }
                guard let first = previous, let second = try it.next(ctx) else { return nil }
                previous = second
                return .object(PyTuple([first, second]))
            }
        }
        m.function("tee", "tee(iterable, n=2, /)", doc: "Return n independent iterators from a single iterable.") { ctx, a in
            try a.check("tee", min: 1, max: 2)
            let n = a.count > 1 ? try ctx.intArg(a[1]) : 2
            guard n >= 0 else { throw PyError.value("n must be >= 0") }
            let shared = TeeBuffer(try ctx.iter(a[0]))
            return .object(
                PyTuple(
                    (0..<n).map { _ in
                        var position = 0
                        return iterator("tee") { ctx in
                            defer { position += 1 }
                            return try shared.item(at: position, ctx)
                        }
                    }))
        }
        return m
    }

    static func iterator(_ name: String, _ body: @escaping (ExecContext) throws -> PyValue?) -> PyValue {
        .object(ClosureIterator(name: "itertools.\(name)", body))
    }

    static func installChain(_ t: PyType) {
        t.native.construct = { ctx, _, a in
            if let k = a.keywords.first { throw PyError.type("chain() got an unexpected keyword argument '\(k.name)'") }
            return chain(ctx, try ctx.iter(.object(PyTuple(a.positional))))
        }
        t.classMethod("from_iterable", "from_iterable(iterable, /)", doc: "Alternative chain() constructor taking a single iterable argument.") {
            ctx, a in
            guard a.count == 2 else { throw PyError.type("from_iterable() takes exactly one argument (\(max(a.count - 1, 0)) given)") }
            return chain(ctx, try ctx.iter(a[1]))
        }
    }

    /// The items of each iterable that `sources` yields, in turn.
    static func chain(_ ctx: ExecContext, _ sources: PyIterator) -> PyValue {
        var current: PyIterator?
        return iterator("chain") { ctx in
            while true {
                if let c = current, let v = try c.next(ctx) { return v }
                guard let nextSource = try sources.next(ctx) else { return nil }
                current = try ctx.iter(nextSource)
            }
        }
    }
}

/// The shared state of a `groupby` and the group iterators it hands out.
final class GroupbyState: @unchecked Sendable {
    // Sendable proof: used only under the interpreter lock, like every Python object.
    let source: PyIterator
    let key: PyValue?
    /// The next unconsumed item and its key (the first item of the next group, once found).
    var pending: (item: PyValue, key: PyValue)?
    var exhausted = false
    var currentGroup = 0
    var currentKey: PyValue?

    init(_ source: PyIterator, key: PyValue?) {
        self.source = source
        self.key = key
    }

    func advance(_ ctx: ExecContext) throws -> (item: PyValue, key: PyValue)? {
        if let p = pending {
            pending = nil
            return p
        }
        guard !exhausted, let v = try source.next(ctx) else {
            exhausted = true
            return nil
        }
        return (v, try key.map { try ctx.call($0, Args([v])) } ?? v)
    }

    func nextGroup(_ ctx: ExecContext) throws -> PyValue? {
        // Skip what is left of the current group.
        while true {
            guard let next = try advance(ctx) else { return nil }
            if let k = currentKey, try ctx.equals(k, next.key) { continue }
            pending = next
            break
        }
        guard let first = pending else { return nil }
        currentGroup += 1
        currentKey = first.key
        let group = currentGroup
        let groupKey = first.key
        let groupIterator = ClosureIterator(name: "itertools._grouper") { [self] ctx in
            guard group == currentGroup, let next = try advance(ctx) else { return nil }
            if try ctx.equals(groupKey, next.key) { return next.item }
            pending = next
            return nil
        }
        return .object(PyTuple([groupKey, .object(groupIterator)]))
    }
}

/// The items a `tee` has read, kept until every copy has passed them.
final class TeeBuffer: @unchecked Sendable {
    // Sendable proof: used only under the interpreter lock, like every Python object.
    let source: PyIterator
    var items: [PyValue] = []
    var exhausted = false
    init(_ source: PyIterator) { self.source = source }

    func item(at i: Int, _ ctx: ExecContext) throws -> PyValue? {
        while items.count <= i && !exhausted {
            if let v = try source.next(ctx) { items.append(v) } else { exhausted = true }
        }
        return i < items.count ? items[i] : nil
    }
}

extension Builtins {
    static let chainType = makeType("chain", module: "itertools", native: .init(subclassable: false)) { ItertoolsModule.installChain($0) }
}
