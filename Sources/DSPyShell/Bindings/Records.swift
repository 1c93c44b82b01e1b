import DSPy
import OrderedCollections
import PythonInterpreter

/// `dspy.Example` and `dspy.Prediction` in the shell: records of Python values, with DSPy's
/// attribute access, reprs and methods. Field values are Python objects, not JSON, so a
/// prediction built in Python code keeps what it holds.
final class RecordObject: PyInstance, @unchecked Sendable {
    // Sendable proof: as every Python object, touched only under the interpreter lock.
    let store = PyDict()
    var inputKeys: [String]?
    /// Every completion's fields (predictions made by modules with n > 1).
    var completions: [PyDict]?
    var lmUsage: PyValue = .none

    var isPrediction: Bool { type.isSubtype(of: DSPyTypes.prediction) }

    func get(_ key: String) -> PyValue? { store.getString(key) }

    /// A prediction from the library's, with every completion and the usage.
    static func prediction(_ p: Prediction) -> RecordObject {
        let r = RecordObject(cls: DSPyTypes.prediction)
        for (k, v) in p.values { r.store.setString(k, Convert.python(v)) }
        if p.completions.count > 1 {
            r.completions = p.completions.items.map { item in
                let d = PyDict()
                for (k, v) in item { d.setString(k, Convert.python(v)) }
                return d
            }
        }
        if let usage = p.lmUsage { r.lmUsage = usageDict(usage) }
        return r
    }

    /// An example from the library's (input keys kept).
    static func example(_ e: Example) -> RecordObject {
        let r = RecordObject(cls: DSPyTypes.example)
        for (k, v) in e.values { r.store.setString(k, Convert.python(v)) }
        r.inputKeys = e.inputKeys
        return r
    }

    static func usageDict(_ usage: [String: TokenUsage]) -> PyValue {
        let d = PyDict()
        for (model, u) in usage.sorted(by: { $0.key < $1.key }) { d.setString(model, Convert.python(u.value)) }
        return .object(d)
    }

    /// The library's example (input keys kept).
    func example(_ ctx: ExecContext) throws -> Example {
        var values = OrderedDictionary<String, Value>()
        for (k, v) in store.pairs { values[try Convert.keyString(ctx, k.value)] = try Convert.value(ctx, v) }
        return Example(values, inputKeys: inputKeys)
    }

    /// The library's prediction (for callbacks and library callers of Python modules).
    func prediction(_ ctx: ExecContext) throws -> Prediction {
        var values = OrderedDictionary<String, Value>()
        for (k, v) in store.pairs { values[try Convert.keyString(ctx, k.value)] = try Convert.value(ctx, v) }
        return Prediction(values)
    }

    func copy(as cls: PyType? = nil) -> RecordObject {
        let r = RecordObject(cls: cls ?? type)
        for (k, v) in store.pairs { r.store.set(k, v) }
        r.inputKeys = inputKeys
        return r
    }

    func repr(_ ctx: ExecContext) throws -> String {
        if isPrediction {
            let fields = try store.pairs.map { "\(try Convert.keyString(ctx, $0.key.value))=\(try ctx.repr($0.value))" }
            let body = fields.joined(separator: ",\n    ")
            if let c = completions, c.count > 1 {
                return "\(type.name)(\n    \(body),\n    completions=Completions(...)\n) (\(c.count - 1) completions omitted)"
            }
            return "\(type.name)(\n    \(body)\n)"
        }
        let visible = PyDict()
        for (k, v) in store.pairs where !(k.value.stringValue?.hasPrefix("dspy_") ?? false) { visible.set(k, v) }
        let keys = try inputKeys.map { "{" + (try $0.map { try ctx.repr(.str($0)) }.joined(separator: ", ")) + "}" } ?? "None"
        return "\(type.name)(\(try ctx.repr(.object(visible)))) (input_keys=\(keys == "{}" ? "set()" : keys))"
    }
}

/// `prediction.completions`: the fields of every completion.
final class CompletionsObject: PyInstance, @unchecked Sendable {
    // Sendable proof: as every Python object, touched only under the interpreter lock.
    let items: [PyDict]
    init(_ items: [PyDict]) {
        self.items = items
        super.init(cls: DSPyTypes.completions)
    }

    func field(_ name: String) -> PyValue? {
        guard items.first?.getString(name) != nil else { return nil }
        return .object(PyList(items.map { $0.getString(name) ?? .none }))
    }

    var fieldNames: [String] { items.first?.keyList.compactMap(\.stringValue) ?? [] }
}

enum RecordBinding {
    static func record(_ v: PyValue) throws -> RecordObject {
        guard let r = v.as(RecordObject.self) else { throw PyError.type("expected an Example or Prediction, not \(v.typeName)") }
        return r
    }

    static func installExample(_ t: PyType) {
        t.doc = "A training or evaluation example: named fields, some of them marked as inputs."
        t.native.makeInstance = { _, cls in RecordObject(cls: cls) }
        t.native.getAttribute = { _, me, name in
            guard let r = me.as(RecordObject.self) else { return nil }
            if name == "completions" && r.isPrediction {
                return .object(CompletionsObject(r.completions ?? [r.store]))
            }
            return r.get(name)
        }
        t.native.setAttribute = { _, me, name, value in
            guard let r = me.as(RecordObject.self), !name.hasPrefix("_") else { return false }
            r.store.setString(name, value)
            return true
        }
        t.method("__init__", "Example(base=None, **kwargs)", doc: "Fields from a dict or another example, then keyword arguments.") { ctx, me, a in
            let r = try record(me)
            if let base = a.positional.first, !base.isNone {
                if let other = base.as(RecordObject.self) {
                    for (k, v) in other.store.pairs { r.store.set(k, v) }
                } else if let d = base.as(PyDict.self) {
                    for (k, v) in d.pairs { r.store.set(k, v) }
                } else if a.positional.count > 1 || !r.isPrediction {
                    throw PyError.type("\(r.type.name)() takes a dict or an Example, not \(base.typeName)")
                }
            }
            for (k, v) in a.keywords { r.store.setString(k, v) }
            return .none
        }
        t.method("with_inputs", "with_inputs(*keys)", doc: "A copy with these fields marked as inputs.") { _, me, a in
            let r = try record(me)
            let copy = r.copy()
            copy.inputKeys = try a.positional.map {
                guard case .str(let s) = $0 else { throw PyError.type("with_inputs() takes field names") }
                return s
            }
            return .object(copy)
        }
        t.method("inputs", "inputs()", doc: "An example with only the input fields.") { _, me, _ in
            let r = try record(me)
            guard let keys = r.inputKeys else {
                throw PyError.value("Inputs have not been set for this example. Use `example.with_inputs()` to set them.")
            }
            let out = RecordObject(cls: r.type)
            for k in keys { if let v = r.get(k) { out.store.setString(k, v) } }
            out.inputKeys = keys
            return .object(out)
        }
        t.method("labels", "labels()", doc: "An example with only the non-input fields.") { _, me, _ in
            let r = try record(me)
            guard let keys = r.inputKeys else {
                throw PyError.value("Inputs have not been set for this example. Use `example.with_inputs()` to set them.")
            }
            let out = RecordObject(cls: r.type)
            for (k, v) in r.store.pairs where !keys.contains(k.value.stringValue ?? "") { out.store.set(k, v) }
            return .object(out)
        }
        t.method("keys", "keys(include_dspy=False)") { ctx, me, a in
            let r = try record(me)
            let all = try a.keyword("include_dspy").map { try ctx.truthy($0) } ?? false
            return .object(PyList(r.store.keyList.filter { all || !($0.stringValue?.hasPrefix("dspy_") ?? false) }))
        }
        t.method("values", "values(include_dspy=False)") { _, me, _ in
            let r = try record(me)
            return .object(PyList(r.store.pairs.filter { !($0.key.value.stringValue?.hasPrefix("dspy_") ?? false) }.map(\.value)))
        }
        t.method("items", "items(include_dspy=False)") { _, me, _ in
            let r = try record(me)
            return .object(
                PyList(
                    r.store.pairs.filter { !($0.key.value.stringValue?.hasPrefix("dspy_") ?? false) }.map {
                        .object(PyTuple([$0.key.value, $0.value]))
                    }))
        }
        t.method("get", "get(key, default=None)") { ctx, me, a in
            try a.check("get", min: 1, max: 2)
            return try record(me).store.get(try PyKey.make(a[0], ctx)) ?? (a.count > 1 ? a[1] : .none)
        }
        t.method("copy", "copy(**kwargs)", doc: "A copy, with fields replaced by the keyword arguments.") { _, me, a in
            let c = try record(me).copy()
            for (k, v) in a.keywords { c.store.setString(k, v) }
            return .object(c)
        }
        t.method("without", "without(*keys)", doc: "A copy without these fields.") { ctx, me, a in
            let c = try record(me).copy()
            for k in a.positional { c.store.remove(try PyKey.make(k, ctx)) }
            return .object(c)
        }
        for name in ["toDict", "to_dict"] {
            t.method(name, "\(name)()", doc: "The fields as a dict.") { _, me, _ in .object(try record(me).store.copy()) }
        }
        t.method("__getitem__") { ctx, me, a in
            guard let v = try record(me).store.get(try PyKey.make(a[0], ctx)) else { throw PyError.key(a[0]) }
            return v
        }
        t.method("__setitem__") { ctx, me, a in
            try record(me).store.set(try PyKey.make(a[0], ctx), a[1])
            return .none
        }
        t.method("__delitem__") { ctx, me, a in
            guard try record(me).store.remove(try PyKey.make(a[0], ctx)) != nil else { throw PyError.key(a[0]) }
            return .none
        }
        t.method("__contains__") { ctx, me, a in .bool(try record(me).store.contains(try PyKey.make(a[0], ctx))) }
        t.method("__len__") { _, me, _ in
            .int(try record(me).store.keyList.filter { !($0.stringValue?.hasPrefix("dspy_") ?? false) }.count)
        }
        t.method("__iter__") { ctx, me, _ in .object(try ctx.iter(.object(PyList(try record(me).store.keyList)))) }
        t.method("__eq__") { ctx, me, a in
            guard let other = a[0].as(RecordObject.self) else { return .false }
            return .bool(try ctx.equals(.object(try record(me).store), .object(other.store)))
        }
        t.method("__hash__") { ctx, me, _ in
            let r = try record(me)
            return .int(try ctx.hash(.object(PyTuple(r.store.pairs.map { .object(PyTuple([$0.key.value, $0.value])) }))))
        }
        t.method("__repr__") { ctx, me, _ in .str(try record(me).repr(ctx)) }
        t.method("__str__") { ctx, me, _ in .str(try record(me).repr(ctx)) }
    }

    static func installPrediction(_ t: PyType) {
        t.doc = "The outputs of a module call: named fields, the completions and the LM usage."
        t.method("get_lm_usage", "get_lm_usage()", doc: "Tokens used by the call, per model (with track_usage=True).") { _, me, _ in
            try record(me).lmUsage
        }
        t.method("set_lm_usage", "set_lm_usage(value)") { _, me, a in
            try record(me).lmUsage = a.positional.first ?? .none
            return .none
        }
        let fromCompletions = PyBuiltinFunction("from_completions", signature: "from_completions(list_or_dict, signature=None)") { ctx, a in
            guard case .object(let cls as PyType)? = a.positional.first, a.count >= 2 else {
                throw PyError.type("from_completions() needs completions")
            }
            let r = RecordObject(cls: cls)
            var items: [PyDict] = []
            if let d = a[1].as(PyDict.self) {
                let columns = try d.pairs.map { ($0.key, try ctx.iterateToArray($0.value)) }
                let n = columns.map(\.1.count).min() ?? 0
                for i in 0..<n {
                    let item = PyDict()
                    for (k, values) in columns { item.set(k, values[i]) }
                    items.append(item)
                }
            } else {
                for x in try ctx.iterateToArray(a[1]) {
                    guard let d = x.as(PyDict.self) else { throw PyError.type("completions must be dicts") }
                    items.append(d)
                }
            }
            if let first = items.first { for (k, v) in first.pairs { r.store.set(k, v) } }
            r.completions = items
            return .object(r)
        }
        t.define("from_completions", .object(PyClassMethod(.object(fromCompletions))))
        @Sendable func score(_ ctx: ExecContext, _ v: PyValue) throws -> Double {
            guard let r = v.as(RecordObject.self), let s = r.get("score") else {
                throw PyError.value("Prediction has no 'score' field to compare or add")
            }
            return try ctx.toDouble(s)
        }
        t.method("__float__") { ctx, me, _ in .float(try score(ctx, me)) }
        for (name, op) in [("__add__", BinaryOperator.add), ("__truediv__", .div)] {
            t.method(name) { ctx, me, a in
                let other = a[0].as(RecordObject.self) != nil ? PyValue.float(try score(ctx, a[0])) : a[0]
                return try ctx.binaryOp(op, .float(try score(ctx, me)), other)
            }
        }
        t.method("__radd__") { ctx, me, a in try ctx.binaryOp(.add, a[0], .float(try score(ctx, me))) }
        t.method("__rtruediv__") { ctx, me, a in try ctx.binaryOp(.div, a[0], .float(try score(ctx, me))) }
        for (name, op) in [("__lt__", CompareOperator.lt), ("__le__", .ltE), ("__gt__", .gt), ("__ge__", .gtE)] {
            t.method(name) { ctx, me, a in
                let other = a[0].as(RecordObject.self) != nil ? PyValue.float(try score(ctx, a[0])) : a[0]
                return .bool(try ctx.compare(.float(try score(ctx, me)), other, op))
            }
        }
    }

    static func installCompletions(_ t: PyType) {
        t.native.getAttribute = { _, me, name in me.as(CompletionsObject.self)?.field(name) }
        t.method("__getitem__") { ctx, me, a in
            guard let c = me.as(CompletionsObject.self) else { return .none }
            if case .str(let name) = a[0] {
                guard let v = c.field(name) else { throw PyError.key(a[0]) }
                return v
            }
            let i = try ctx.intArg(a[0])
            let j = i < 0 ? i + c.items.count : i
            guard j >= 0 && j < c.items.count else { throw PyError.index("completion index out of range") }
            let r = RecordObject(cls: DSPyTypes.prediction)
            for (k, v) in c.items[j].pairs { r.store.set(k, v) }
            return .object(r)
        }
        t.method("__len__") { _, me, _ in .int(me.as(CompletionsObject.self)?.items.count ?? 0) }
        t.method("__iter__") { ctx, me, _ in
            guard let c = me.as(CompletionsObject.self) else { return .none }
            return .object(
                try ctx.iter(
                    .object(
                        PyList(
                            c.items.map { item in
                                let r = RecordObject(cls: DSPyTypes.prediction)
                                for (k, v) in item.pairs { r.store.set(k, v) }
                                return .object(r)
                            }))))
        }
        t.method("__repr__") { ctx, me, _ in
            guard let c = me.as(CompletionsObject.self) else { return .str("") }
            let parts = try c.fieldNames.map { "\($0)=\(try ctx.repr(c.field($0) ?? .none))" }
            return .str("Completions(\n    " + parts.joined(separator: ",\n    ") + "\n)")
        }
    }
}
