import BigInt

enum ListMethods {
    static func list(_ v: PyValue) throws -> PyList {
        guard let l = v.as(PyList.self) else { throw PyError.type("descriptor requires a 'list' object but received a '\(v.typeName)'") }
        return l
    }

    static func install(_ t: PyType) {
        t.doc = "Built-in mutable sequence.\n\nIf no argument is given, the constructor creates a new empty list."
        t.method("append", "append(object, /)", doc: "Append object to the end of the list.") { ctx, s, a in
            try a.check("append", min: 1, max: 1)
            let l = try list(s)
            l.items.append(a[0])
            if l.items.count & 0xFFFF == 0 { try ctx.checkSize(l.items.count * 16) }
            return .none
        }
        t.method("extend", "extend(iterable, /)", doc: "Extend list by appending elements from the iterable.") { ctx, s, a in
            try a.check("extend", min: 1, max: 1)
            let l = try list(s)
            let items = try ctx.iterateToArray(a[0])
            try ctx.checkSize((l.items.count + items.count) * 16)
            l.items.append(contentsOf: items)
            return .none
        }
        t.method("pop", "pop(index=-1, /)", doc: "Remove and return item at index (default last).") { ctx, s, a in
            try a.check("pop", min: 0, max: 1)
            let l = try list(s)
            guard !l.items.isEmpty else { throw PyError.index("pop from empty list") }
            var i = a.count == 1 ? try ctx.intArg(a[0]) : -1
            if i < 0 { i += l.items.count }
            guard i >= 0 && i < l.items.count else { throw PyError.index("pop index out of range") }
            return l.items.remove(at: i)
        }
        t.method("insert", "insert(index, object, /)", doc: "Insert object before index.") { ctx, s, a in
            try a.check("insert", min: 2, max: 2)
            let l = try list(s)
            var i = try ctx.intArg(a[0])
            if i < 0 { i = max(0, i + l.items.count) }
            l.items.insert(a[1], at: min(i, l.items.count))
            return .none
        }
        t.method("remove", "remove(value, /)", doc: "Remove first occurrence of value.") { ctx, s, a in
            try a.check("remove", min: 1, max: 1)
            let l = try list(s)
            for (i, x) in l.items.enumerated() where try x.isIdentical(to: a[0]) || ctx.equals(x, a[0]) {
                l.items.remove(at: i)
                return .none
            }
            throw PyError.value("list.remove(x): x not in list")
        }
        t.method("index", "index(value, start=0, stop=sys.maxsize, /)", doc: "Return first index of value.") { ctx, s, a in
            try a.check("index", min: 1, max: 3)
            let l = try list(s)
            let (start, end) = try StrMethods.range(ctx, a.count > 1 ? a[1] : nil, a.count > 2 ? a[2] : nil, l.items.count)
            if start < end {
                for i in start..<end where try l.items[i].isIdentical(to: a[0]) || ctx.equals(l.items[i], a[0]) { return .int(i) }
            }
            throw PyError.value("\(try ctx.repr(a[0])) is not in list")
        }
        t.method("count", "count(value, /)", doc: "Return number of occurrences of value.") { ctx, s, a in
            try a.check("count", min: 1, max: 1)
            return .int(try list(s).items.filter { try $0.isIdentical(to: a[0]) || ctx.equals($0, a[0]) }.count)
        }
        t.method("sort", "sort(*, key=None, reverse=False)", doc: "Sort the list in ascending order and return None (stable).") { ctx, s, a in
            guard a.positional.isEmpty else { throw PyError.type("sort() takes no positional arguments") }
            var key: PyValue?
            var reverse = false
            for (k, v) in a.keywords {
                switch k {
                case "key": key = ctx.optional(v)
                case "reverse": reverse = try ctx.truthy(v)
                default: throw PyError.type("sort() got an unexpected keyword argument '\(k)'")
                }
            }
            try ctx.sortList(try list(s), key: key, reverse: reverse)
            return .none
        }
        t.method("reverse", "reverse()", doc: "Reverse *IN PLACE*.") { _, s, a in
            try a.check("reverse", min: 0, max: 0)
            try list(s).items.reverse()
            return .none
        }
        t.method("copy", "copy()", doc: "Return a shallow copy of the list.") { _, s, _ in .object(PyList(try list(s).items)) }
        t.method("clear", "clear()", doc: "Remove all items from list.") { _, s, _ in
            try list(s).items.removeAll()
            return .none
        }
        t.method("__len__") { _, s, _ in .int(try list(s).items.count) }
        t.method("__getitem__") { ctx, s, a in try ctx.builtinGetItem(s, a[0]) }
        t.method("__setitem__") { ctx, s, a in
            try ctx.builtinSetItem(s, a[0], a[1]); return .none
        }
        t.method("__contains__") { ctx, s, a in .bool(try ctx.builtinContains(s, a[0])) }
        t.method("__iter__") { ctx, s, _ in .object(try ctx.builtinIter(s)) }
        t.method("__eq__") { ctx, s, a in .bool(try ctx.builtinEquals(s, a[0])) }
        t.method("__repr__") { ctx, s, _ in .str(try ctx.builtinRepr(s)) }
        t.define("__hash__", .none)
    }
}

enum TupleMethods {
    static func install(_ t: PyType) {
        t.doc = "Built-in immutable sequence."
        t.method("index", "index(value, start=0, stop=sys.maxsize, /)", doc: "Return first index of value.") { ctx, s, a in
            try a.check("index", min: 1, max: 3)
            let items = s.as(PyTuple.self)?.items ?? []
            let (start, end) = try StrMethods.range(ctx, a.count > 1 ? a[1] : nil, a.count > 2 ? a[2] : nil, items.count)
            if start < end {
                for i in start..<end where try items[i].isIdentical(to: a[0]) || ctx.equals(items[i], a[0]) { return .int(i) }
            }
            throw PyError.value("tuple.index(x): x not in tuple")
        }
        t.method("count", "count(value, /)", doc: "Return number of occurrences of value.") { ctx, s, a in
            try a.check("count", min: 1, max: 1)
            return .int(try (s.as(PyTuple.self)?.items ?? []).filter { try $0.isIdentical(to: a[0]) || ctx.equals($0, a[0]) }.count)
        }
        t.method("__len__") { _, s, _ in .int(s.as(PyTuple.self)?.items.count ?? 0) }
        t.method("__getitem__") { ctx, s, a in try ctx.builtinGetItem(s, a[0]) }
        t.method("__contains__") { ctx, s, a in .bool(try ctx.builtinContains(s, a[0])) }
        t.method("__iter__") { ctx, s, _ in .object(try ctx.builtinIter(s)) }
        t.method("__hash__") { ctx, s, _ in .int(try ctx.hash(s)) }
        t.method("__eq__") { ctx, s, a in .bool(try ctx.builtinEquals(s, a[0])) }
        t.method("__repr__") { ctx, s, _ in .str(try ctx.builtinRepr(s)) }
    }
}

enum DictMethods {
    static func dict(_ v: PyValue) throws -> PyDict {
        guard let d = v.as(PyDict.self) else { throw PyError.type("descriptor requires a 'dict' object but received a '\(v.typeName)'") }
        return d
    }

    static func install(_ t: PyType) {
        t.doc = "dict() -> new empty dictionary\ndict(mapping) -> new dictionary initialized from a mapping object's (key, value) pairs"
        t.method("keys", "keys()", doc: "A set-like object providing a view on the dict's keys.") { _, s, _ in .object(PyDictView(try dict(s), .keys))
        }
        t.method("values", "values()", doc: "An object providing a view on the dict's values.") { _, s, _ in .object(PyDictView(try dict(s), .values))
        }
        t.method("items", "items()", doc: "A set-like object providing a view on the dict's items.") { _, s, _ in
            .object(PyDictView(try dict(s), .items))
        }
        t.method("get", "get(key, default=None, /)", doc: "Return the value for key if key is in the dictionary, else default.") { ctx, s, a in
            try a.check("get", min: 1, max: 2)
            return try dict(s).get(try PyKey.make(a[0], ctx)) ?? (a.count > 1 ? a[1] : .none)
        }
        t.method(
            "setdefault", "setdefault(key, default=None, /)",
            doc: "Insert key with a value of default if key is not in the dictionary; return the value."
        ) { ctx, s, a in
            try a.check("setdefault", min: 1, max: 2)
            let d = try dict(s)
            let k = try PyKey.make(a[0], ctx)
            if let v = d.get(k) { return v }
            let v = a.count > 1 ? a[1] : .none
            d.set(k, v)
            return v
        }
        t.method("pop", "pop(key[, default])", doc: "Remove the key and return its value; default (or KeyError) if absent.") { ctx, s, a in
            try a.check("pop", min: 1, max: 2)
            if let v = try dict(s).remove(try PyKey.make(a[0], ctx)) { return v }
            if a.count > 1 { return a[1] }
            throw PyError.key(a[0])
        }
        t.method("popitem", "popitem()", doc: "Remove and return a (key, value) pair as a 2-tuple, last in first out.") { _, s, _ in
            guard let (k, v) = try dict(s).popLast() else { throw PyError.key(.str("popitem(): dictionary is empty")) }
            return .object(PyTuple([k.value, v]))
        }
        t.method("update", "update([other], **kwargs)", doc: "Update the dictionary from a mapping or iterable of pairs, and keyword arguments.") {
            ctx, s, a in
            try a.checkCount("update", min: 0, max: 1)
            let d = try dict(s)
            if a.count == 1 { for (k, v) in try ctx.mappingPairs(a[0]) { d.set(k, v) } }
            for (k, v) in a.keywords { d.setString(k, v) }
            return .none
        }
        t.method("copy", "copy()", doc: "Return a shallow copy of the dict.") { _, s, _ in .object(try dict(s).copy()) }
        t.method("clear", "clear()", doc: "Remove all items from the dict.") { _, s, _ in
            try dict(s).removeAll()
            return .none
        }
        t.classMethod(
            "fromkeys", "fromkeys(iterable, value=None, /)",
            doc: "Create a new dictionary with keys from iterable and values set to value."
        ) { ctx, a in
            var rest = a
            let cls = rest.positional.isEmpty ? .object(Builtins.dictType) : rest.positional.removeFirst()
            try rest.check("fromkeys", min: 1, max: 2)
            let made = try ctx.call(cls, Args())
            let value = rest.count > 1 ? rest[1] : .none
            try ctx.forEach(rest[0]) { k in
                if let d = made.as(PyDict.self), d.type.isBuiltin { d.set(try PyKey.make(k, ctx), value) } else { try ctx.setItem(made, k, value) }
                return true
            }
            return made
        }
        t.method("__len__") { _, s, _ in .int(try dict(s).count) }
        t.method("__getitem__") { ctx, s, a in try ctx.builtinGetItem(s, a[0]) }
        t.method("__setitem__") { ctx, s, a in
            try ctx.builtinSetItem(s, a[0], a[1]); return .none
        }
        t.method("__delitem__") { ctx, s, a in
            try ctx.builtinDelItem(s, a[0]); return .none
        }
        t.method("__contains__") { ctx, s, a in .bool(try ctx.builtinContains(s, a[0])) }
        t.method("__iter__") { ctx, s, _ in .object(try ctx.builtinIter(s)) }
        t.method("__eq__") { ctx, s, a in .bool(try ctx.builtinEquals(s, a[0])) }
        t.method("__repr__") { ctx, s, _ in .str(try ctx.builtinRepr(s)) }
        t.define("__hash__", .none)
    }

    static func installView(_ t: PyType) {
        t.method("__len__") { _, s, _ in .int(s.as(PyDictView.self)?.dict.count ?? 0) }
        t.method("__iter__") { ctx, s, _ in .object(try ctx.builtinIter(s)) }
        t.method("__contains__") { ctx, s, a in .bool(try ctx.builtinContains(s, a[0])) }
        t.method("__repr__") { ctx, s, _ in
            guard let v = s.as(PyDictView.self) else { return .str("") }
            return .str(v.type.name + "(" + (try ctx.repr(.object(PyList(v.items)))) + ")")
        }
        t.method("isdisjoint", "isdisjoint(other, /)") { ctx, s, a in
            guard let v = s.as(PyDictView.self) else { return .true }
            for x in try ctx.iterateToArray(a[0]) where try v.contains(ctx, x) { return .false }
            return .true
        }
    }
}

enum SetMethods {
    static func set(_ v: PyValue) throws -> PySet {
        guard let s = v.as(PySet.self) else { throw PyError.type("descriptor requires a 'set' object but received a '\(v.typeName)'") }
        return s
    }

    static func keys(_ ctx: ExecContext, _ v: PyValue) throws -> [PyKey] {
        if let s = v.as(PySet.self) { return s.elements }
        return try ctx.iterateToArray(v).map { try PyKey.make($0, ctx) }
    }

    static func install(_ t: PyType, frozen: Bool) {
        t.doc = frozen ? "Build an immutable unordered collection of unique elements." : "Build an unordered collection of unique elements."
        if !frozen {
            t.method("add", "add(element, /)", doc: "Add an element to a set.") { ctx, s, a in
                try a.check("add", min: 1, max: 1)
                try set(s).insert(try PyKey.make(a[0], ctx))
                return .none
            }
            t.method("remove", "remove(element, /)", doc: "Remove an element from a set; it must be a member (else KeyError).") { ctx, s, a in
                try a.check("remove", min: 1, max: 1)
                guard try set(s).remove(try PyKey.make(a[0], ctx)) else { throw PyError.key(a[0]) }
                return .none
            }
            t.method("discard", "discard(element, /)", doc: "Remove an element from a set if it is a member.") { ctx, s, a in
                try a.check("discard", min: 1, max: 1)
                try set(s).remove(try PyKey.make(a[0], ctx))
                return .none
            }
            t.method("pop", "pop()", doc: "Remove and return an arbitrary set element.") { _, s, _ in
                guard let k = try set(s).popFirst() else { throw PyError.key(.str("pop from an empty set")) }
                return k.value
            }
            t.method("clear", "clear()", doc: "Remove all elements from this set.") { _, s, _ in
                try set(s).removeAll()
                return .none
            }
            t.method("update", "update(*others)", doc: "Update the set, adding elements from all others.") { ctx, s, a in
                let me = try set(s)
                for o in a.positional { for k in try keys(ctx, o) { me.insert(k) } }
                return .none
            }
            t.method("intersection_update", "intersection_update(*others)") { ctx, s, a in
                let me = try set(s)
                for o in a.positional {
                    let other = Set(try keys(ctx, o))
                    for k in me.elements where !other.contains(k) { me.remove(k) }
                }
                return .none
            }
            t.method("difference_update", "difference_update(*others)") { ctx, s, a in
                let me = try set(s)
                for o in a.positional { for k in try keys(ctx, o) { me.remove(k) } }
                return .none
            }
            t.method("symmetric_difference_update", "symmetric_difference_update(other, /)") { ctx, s, a in
                let me = try set(s)
                for k in try keys(ctx, a[0]) { if me.contains(k) { me.remove(k) } else { me.insert(k) } }
                return .none
            }
            t.define("__hash__", .none)
        }
        t.method("union", "union(*others)", doc: "Return the union of sets as a new set.") { ctx, s, a in
            let r = try set(s).copy()
            for o in a.positional { for k in try keys(ctx, o) { r.insert(k) } }
            return .object(r)
        }
        t.method("intersection", "intersection(*others)", doc: "Return the intersection of sets as a new set.") { ctx, s, a in
            let me = try set(s)
            var current = me.elements
            for o in a.positional {
                let other = Set(try keys(ctx, o))
                current = current.filter { other.contains($0) }
            }
            let r = PySet(frozen: me.frozen)
            for k in current { r.insert(k) }
            return .object(r)
        }
        t.method("difference", "difference(*others)", doc: "Return the difference of two or more sets as a new set.") { ctx, s, a in
            let me = try set(s)
            var removed = Set<PyKey>()
            for o in a.positional { removed.formUnion(try keys(ctx, o)) }
            let r = PySet(frozen: me.frozen)
            for k in me.elements where !removed.contains(k) { r.insert(k) }
            return .object(r)
        }
        t.method("symmetric_difference", "symmetric_difference(other, /)", doc: "Return the symmetric difference of two sets as a new set.") {
            ctx, s, a in
            try a.check("symmetric_difference", min: 1, max: 1)
            let me = try set(s)
            let other = try keys(ctx, a[0])
            let otherSet = Set(other)
            let r = PySet(frozen: me.frozen)
            for k in me.elements where !otherSet.contains(k) { r.insert(k) }
            for k in other where !me.contains(k) { r.insert(k) }
            return .object(r)
        }
        t.method("issubset", "issubset(other, /)", doc: "Report whether another set contains this set.") { ctx, s, a in
            let other = Set(try keys(ctx, a[0]))
            return .bool(try set(s).elements.allSatisfy { other.contains($0) })
        }
        t.method("issuperset", "issuperset(other, /)", doc: "Report whether this set contains another set.") { ctx, s, a in
            let me = try set(s)
            return .bool(try keys(ctx, a[0]).allSatisfy { me.contains($0) })
        }
        t.method("isdisjoint", "isdisjoint(other, /)", doc: "Return True if two sets have a null intersection.") { ctx, s, a in
            let me = try set(s)
            return .bool(try keys(ctx, a[0]).allSatisfy { !me.contains($0) })
        }
        t.method("copy", "copy()", doc: "Return a shallow copy of a set.") { _, s, _ in .object(try set(s).copy()) }
        t.method("__len__") { _, s, _ in .int(try set(s).count) }
        t.method("__contains__") { ctx, s, a in .bool(try ctx.builtinContains(s, a[0])) }
        t.method("__iter__") { ctx, s, _ in .object(try ctx.builtinIter(s)) }
        t.method("__eq__") { ctx, s, a in .bool(try ctx.builtinEquals(s, a[0])) }
        t.method("__repr__") { ctx, s, _ in .str(try ctx.builtinRepr(s)) }
    }
}
