import DSPy
import Foundation
import OrderedCollections
import PythonInterpreter

/// A DSPy module as a Python object: a library module (Predict, ChainOfThought, ReAct) or a
/// user class derived from `dspy.Module`, whose library peer (``PythonModule``) runs its Python
/// `forward`. Either way calls go through the library's `Module.call`, so scopes, callbacks,
/// history and usage tracking are the library's.
final class ModuleObject: PyInstance, @unchecked Sendable {
    // Sendable proof: as every Python object, touched only under the interpreter lock; the peer
    // is a Sendable library module.
    var peer: any DSPy.Module
    /// How the signature was declared, for DSPy's reprs (predictors only).
    var signatureInfo: SignatureInfo?
    /// Demos that came from a saved state read back as plain dicts, as DSPy's `load` leaves them.
    var demosLoadedAsDicts = false

    init(cls: PyType, peer: any DSPy.Module, signatureInfo: SignatureInfo? = nil) {
        self.peer = peer
        self.signatureInfo = signatureInfo
        super.init(cls: cls)
    }
}

/// The payload of a call from Python into a module's `forward`, passed through the library's
/// `Module.call` (which only knows JSON-like inputs) so the Python code gets the real arguments.
final class PythonCall: @unchecked Sendable {
    // Sendable proof: `args` holds Python values only touched under the interpreter lock;
    // `result` is guarded by `lock`.
    @TaskLocal static var current: PythonCall?
    let target: ObjectIdentifier
    let args: Args
    let isAsync: Bool
    private let lock = Locked<PyValue?>(nil)

    init(target: PythonModule, args: Args, isAsync: Bool) {
        self.target = ObjectIdentifier(target)
        self.args = args
        self.isAsync = isAsync
    }

    var result: PyValue? {
        get { lock.withLock { $0 } }
        set { lock.withLock { $0 = newValue } }
    }
}

/// The library peer of a Python module: its `forward` runs the Python `forward` (or
/// `aforward` for `acall`) on a Python thread.
final class PythonModule: DSPy.Module, CustomStringConvertible, @unchecked Sendable {
    // Sendable proof: `object` (a weak reference, so it cannot be a `let`) is written once at
    // creation and read under the interpreter lock; `childList` is behind a lock; the other
    // stored properties are immutable and Sendable.
    weak var object: ModuleObject?
    let interpreter: Interpreter
    let className: String
    private let childList = Locked<[(name: String, module: any DSPy.Module)]>([])
    private let record = ModuleRecord()

    init(interpreter: Interpreter, className: String) {
        self.interpreter = interpreter
        self.className = className
    }

    /// The sub-modules stored on the Python instance (its attributes live in the instance
    /// dictionary, which `Mirror` cannot see), kept in step by ``ModuleBinding/attributeSet``.
    var subModules: [(name: String, module: any DSPy.Module)] { childList.withLock { $0 } }
    var moduleRecord: ModuleRecord? { record }
    var description: String { "\(className)()" }

    /// Where copies made for a library optimizer are kept alive (see ``OptimizeBinding/CopyPins``).
    @TaskLocal static var copies: OptimizeBinding.CopyPins?

    /// Copies the Python object (sub-modules get fresh predictors), as `module.deepcopy()` does.
    func deepCopy() async throws -> any DSPy.Module {
        guard let pins = PythonModule.copies else { throw ModuleError.notCopyable(className) }
        let copy = try await interpreter.runPython { [weak self] ctx -> ModuleObject in
            guard let self, let object = self.object else { throw PyError.runtime("the module was deleted while it was copied") }
            guard let made = try ModuleBinding.copyModule(ctx, object).as(ModuleObject.self) else {
                throw PyError.type("\(self.className) could not be copied")
            }
            return made
        }
        pins.objects.withLock { $0.append(copy) }
        copy.peer.isCompiled = isCompiled
        return copy.peer
    }

    /// Keeps the sub-modules assigned to attributes (so `set_lm`, streaming and usage find them).
    func setChild(_ name: String, _ modules: [(String, any DSPy.Module)]) {
        childList.withLock { list in
            list.removeAll { $0.name == name || $0.name.hasPrefix(name + "[") }
            list.append(contentsOf: modules)
        }
    }

    func forward(_ inputs: Inputs) async throws -> Prediction {
        let call = PythonCall.current.flatMap { $0.target == ObjectIdentifier(self) ? $0 : nil }
        return try await interpreter.runPython { [weak self] ctx in
            guard let self, let object = self.object else { throw PyError.runtime("the module was deleted while it ran") }
            let args: Args
            if let call {
                args = call.args
            } else {
                args = Args([], keywords: inputs.map { ($0.key, Convert.python($0.value)) })
            }
            let result: PyValue
            if call?.isAsync == true {
                guard let aforward = try ctx.lookupAttr(.object(object), "aforward") else {
                    throw PyError.attribute("'\(object.type.name)' object has no attribute 'aforward'")
                }
                result = try ctx.await(try ctx.call(aforward, args))
            } else {
                result = try ctx.call(try ctx.getAttr(.object(object), "forward"), args)
            }
            call?.result = result
            if let r = result.as(RecordObject.self) { return try r.prediction(ctx) }
            return Prediction(OrderedDictionary<String, Value>(dictionaryLiteral: ("output", try Convert.value(ctx, result))))
        }
    }
}

enum ModuleBinding {
    static func object(_ v: PyValue) throws -> ModuleObject {
        guard let m = v.as(ModuleObject.self) else { throw PyError.type("expected a dspy module, not \(v.typeName)") }
        return m
    }

    /// A Python object for a library module reached from the library (call stacks, settings).
    static func wrap(_ m: any DSPy.Module) -> PyValue {
        if let p = m as? PythonModule, let o = p.object { return .object(o) }
        switch m {
        case let p as Predict:
            return .object(
                ModuleObject(
                    cls: DSPyTypes.predict, peer: p,
                    signatureInfo: SignatureInfo(signature: p.signature, className: "StringSignature", fromString: true)))
        case let c as ChainOfThought:
            return .object(chainOfThought(c, info: SignatureInfo(signature: c.signature, className: "StringSignature", fromString: true)))
        default: return .object(ModuleObject(cls: DSPyTypes.module, peer: m))
        }
    }

    static func chainOfThought(_ c: ChainOfThought, info: SignatureInfo) -> ModuleObject {
        let o = ModuleObject(cls: DSPyTypes.chainOfThought, peer: c, signatureInfo: info)
        var inner = info
        inner.signature = c.predict.signature
        o.dict.setString("predict", .object(ModuleObject(cls: DSPyTypes.predict, peer: c.predict, signatureInfo: inner)))
        return o
    }

    /// An example for demos from a Python value.
    static func example(_ ctx: ExecContext, _ v: PyValue) throws -> Example {
        if let r = v.as(RecordObject.self) { return try r.example(ctx) }
        if let d = v.as(PyDict.self) {
            guard case .object(let o) = try Convert.value(ctx, .object(d)) else { return Example() }
            return Example(o)
        }
        throw PyError.type("demos must be dspy.Example objects or dicts, not \(v.typeName)")
    }

    // MARK: Calling

    /// `module(**kwargs)`: runs the library call; returns what the module returned.
    static func call(_ ctx: ExecContext, _ me: PyValue, _ a: Args, async isAsync: Bool) throws -> PyValue {
        let m = try object(me)
        let work = try callWork(ctx, m, a, isAsync: isAsync)
        if isAsync {
            return .object(
                PyNativeAwaitable(
                    name: "\(m.type.name).acall", work: { try await work.run() },
                    convert: { ctx, r in
                        try result(ctx, work, r)
                    }))
        }
        let r = try ctx.dspy { try await work.run() }
        return try result(ctx, work, r)
    }

    /// A prepared call: the library work and, for Python modules, the call payload.
    struct CallWork: Sendable {
        let run: @Sendable () async throws -> Prediction
        let payload: PythonCall?
    }

    static func callWork(_ ctx: ExecContext, _ m: ModuleObject, _ a: Args, isAsync: Bool) throws -> CallWork {
        let peer = m.peer
        if let p = peer as? PythonModule {
            let payload = PythonCall(target: p, args: a, isAsync: isAsync)
            var approx = Inputs()
            for (k, v) in a.keywords { approx[k] = try Convert.value(ctx, v) }
            let inputs = approx
            return CallWork(run: { try await PythonCall.$current.withValue(payload) { try await p.call(inputs) } }, payload: payload)
        }
        if !a.positional.isEmpty {
            throw PyError.value(ModuleError.positionalArguments(inputNames: inputNames(peer)).dspyDescription)
        }
        var inputs = Inputs()
        var lm: LM?
        var config = OrderedDictionary<String, Value>()
        for (k, v) in a.keywords {
            switch k {
            case "lm" where !v.isNone: lm = try LMBinding.lm(v)
            case "config":
                guard let d = v.as(PyDict.self) else {
                    throw PyError.type("config must be a dict of LM parameters, e.g. config={\"temperature\": 0.7}")
                }
                for (ck, cv) in d.pairs { config[try Convert.keyString(ctx, ck.value)] = try Convert.value(ctx, cv) }
            default: inputs[k] = try Convert.inputValue(ctx, v)
            }
        }
        let callInputs = inputs, callLM = lm, callConfig = config
        if let predict = peer as? Predict {
            return CallWork(run: { try await predict.call(callInputs, lm: callLM, config: callConfig) }, payload: nil)
        }
        if let cot = peer as? ChainOfThought, callLM != nil || !callConfig.isEmpty {
            // ChainOfThought passes lm and config to its predictor, as DSPy's does.
            return CallWork(run: { try await cot.call(callInputs, lm: callLM, config: callConfig) }, payload: nil)
        }
        if let agent = peer as? ReAct, callLM != nil || !callConfig.isEmpty {
            // ReAct passes lm and config to its predictors, as DSPy's does.
            return CallWork(run: { try await agent.call(callInputs, lm: callLM, config: callConfig) }, payload: nil)
        }
        if callLM != nil || !callConfig.isEmpty {
            throw PyError.type("\(m.type.name) takes no lm= or config= per call; use `with dspy.context(lm=...)`")
        }
        return CallWork(run: { try await peer.call(callInputs) }, payload: nil)
    }

    static func result(_ ctx: ExecContext, _ work: CallWork, _ r: any Sendable) throws -> PyValue {
        guard let prediction = r as? Prediction else { return .none }
        if let payload = work.payload, let value = payload.result {
            if let record = value.as(RecordObject.self), let usage = prediction.lmUsage { record.lmUsage = RecordObject.usageDict(usage) }
            return value
        }
        return .object(RecordObject.prediction(prediction))
    }

    static func inputNames(_ m: any DSPy.Module) -> [String] {
        signature(of: m)?.inputFields.map(\.name) ?? []
    }

    static func signature(of m: any DSPy.Module) -> Signature? {
        if let p = m as? Predict { return p.signature }
        if let c = m as? ChainOfThought { return c.signature }
        if let r = m as? ReAct { return r.signature }
        return m.namedPredictors.first?.predictor.signature
    }

    // MARK: Walking a program, as DSPy walks `__dict__`

    /// Every predictor in the program with its dotted path (`named_predictors()`), walked as
    /// DSPy walks `__dict__`: sub-modules (not compiled ones), and the modules directly inside
    /// list, tuple and dict attributes.
    static func namedPredictors(_ ctx: ExecContext, _ root: ModuleObject) throws -> [(String, ModuleObject)] {
        var out: [(String, ModuleObject)] = []
        var seen = Set<ObjectIdentifier>()
        func add(_ m: ModuleObject, _ path: String, isRoot: Bool = false) throws {
            try ctx.checkStack()
            if m.peer is Predict {
                if seen.insert(ObjectIdentifier(m)).inserted { out.append((path.isEmpty ? "self" : path, m)) }
                if !isRoot { return }
            } else if !isRoot && m.peer.isCompiled {
                return
            }
            for (k, x) in m.dict.pairs {
                guard let name = k.value.stringValue, !name.hasPrefix("_") else { continue }
                let at = path.isEmpty || isRoot ? name : "\(path).\(name)"
                switch x {
                case .object(let child as ModuleObject): try add(child, at)
                case .object(let l as PyList):
                    for (i, item) in l.items.enumerated() { if let c = item.as(ModuleObject.self) { try add(c, "\(at)[\(i)]") } }
                case .object(let t as PyTuple):
                    for (i, item) in t.items.enumerated() { if let c = item.as(ModuleObject.self) { try add(c, "\(at)[\(i)]") } }
                case .object(let d as PyDict):
                    for (key, item) in d.pairs { if let c = item.as(ModuleObject.self) { try add(c, "\(at)['\(try ctx.str(key.value))']") } }
                default: break
                }
            }
        }
        try add(root, "", isRoot: true)
        return out
    }

    /// Keeps a Python module's peer in step with the sub-modules stored on it.
    static func attributeSet(_ ctx: ExecContext, _ o: PyObject, _ name: String, _ value: PyValue) {
        guard let m = o as? ModuleObject, let peer = m.peer as? PythonModule, !name.hasPrefix("_") else { return }
        var modules: [(String, any DSPy.Module)] = []
        switch value {
        case .object(let child as ModuleObject): modules = [(name, child.peer)]
        case .object(let l as PyList):
            for (i, x) in l.items.enumerated() { if let c = x.as(ModuleObject.self) { modules.append(("\(name)[\(i)]", c.peer)) } }
        case .object(let d as PyDict):
            for (k, x) in d.pairs {
                if let c = x.as(ModuleObject.self), let key = k.value.stringValue { modules.append(("\(name)['\(key)']", c.peer)) }
            }
        default: break
        }
        peer.setChild(name, modules)
    }

    /// DSPy's module repr: `Predict(Signature...)`, or one `name = Predict(...)` line per predictor.
    static func repr(_ ctx: ExecContext, _ m: ModuleObject) throws -> String {
        if m.peer is Predict, let info = m.signatureInfo { return "\(m.type.name)(\(SignatureBinding.render(info)))" }
        return try namedPredictors(ctx, m).map { name, p in
            "\(name) = \(p.type.name)(\(p.signatureInfo.map(SignatureBinding.render) ?? String(describing: p.peer)))"
        }.joined(separator: "\n")
    }

    // MARK: Classes

    static func installModule(_ t: PyType) {
        t.doc = "The base of DSPy programs: subclass it, assign sub-modules in __init__, and define forward (and/or aforward)."
        t.native.makeInstance = { ctx, cls in
            let peer = PythonModule(interpreter: ctx.interpreter, className: cls.name)
            let o = ModuleObject(cls: cls, peer: peer)
            peer.object = o
            return o
        }
        t.method("__init__", "__init__(self, callbacks=None)", doc: "Initialize the module (call it from subclasses' __init__).") { _, _, _ in .none }
        t.method("__call__", "__call__(self, *args, **kwargs)", doc: "Run the module (forward) inside a call scope: callbacks, history, usage.") {
            ctx, me, a in
            try call(ctx, me, a, async: false)
        }
        t.method("acall", "acall(self, *args, **kwargs)", doc: "The awaitable form: await module.acall(...) (aforward for custom modules).") {
            ctx, me, a in
            try call(ctx, me, a, async: true)
        }
        t.method("named_predictors", "named_predictors()", doc: "Every Predict in the program with its attribute path.") { ctx, me, _ in
            .object(PyList(try namedPredictors(ctx, try object(me)).map { .object(PyTuple([.str($0.0), .object($0.1)])) }))
        }
        t.method("predictors", "predictors()", doc: "Every Predict in the program.") { ctx, me, _ in
            .object(PyList(try namedPredictors(ctx, try object(me)).map { .object($0.1) }))
        }
        for name in ["named_parameters", "parameters"] {
            t.method(name, "\(name)()") { ctx, me, _ in
                let ps = try namedPredictors(ctx, try object(me))
                return .object(PyList(name == "parameters" ? ps.map { .object($0.1) } : ps.map { .object(PyTuple([.str($0.0), .object($0.1)])) }))
            }
        }
        t.method("set_lm", "set_lm(lm)", doc: "Set the LM of every predictor in the program.") { ctx, me, a in
            try a.check("set_lm", min: 1, max: 1)
            let lm = a[0].isNone ? nil : try LMBinding.lm(a[0])
            for (_, p) in try namedPredictors(ctx, try object(me)) { (p.peer as? Predict)?.lm = lm }
            return .none
        }
        t.method("get_lm", "get_lm()", doc: "The program's LM, when all its predictors share one.") { ctx, me, _ in
            let lms = try namedPredictors(ctx, try object(me)).map { ($0.1.peer as? Predict)?.lm }
            let distinct = Set(lms.map { $0.map { ObjectIdentifier($0) } })
            guard distinct.count == 1, let first = lms.first else {
                throw PyError.value("Multiple LMs are being used in the module. There's no unique LM to return.")
            }
            return first.map { .object(LMObject.wrap($0)) } ?? .none
        }
        t.method("inspect_history", "inspect_history(n=1)", doc: "Print the module's last n LM calls.") { ctx, me, a in
            let p = try a.bind("inspect_history", ["n"])
            let shell = try ctx.shell
            shell.write(try object(me).peer.inspectHistory(n: try p[0].map { try ctx.intArg($0) } ?? 1, color: shell.color))
            return .none
        }
        t.property(
            "history", doc: "LM calls made while this module was on the call stack.",
            get: { _, me in
                .object(PyList(try object(me).peer.history.map(LMBinding.historyValue)))
            })
        t.property("callbacks", get: { _, _ in .object(PyList()) })
        t.method(
            "batch",
            "batch(examples, num_threads=None, max_errors=None, return_failed_examples=False, provide_traceback=None, disable_progress_bar=False, timeout=120, straggler_limit=3, engine='threads', poll_interval=10, max_poll_interval=120, max_requests_per_batch=None, max_bytes_per_batch=None, max_items_in_flight=10000, completion_window='24h')",
            doc:
                "Run the module over many examples in parallel; results in input order. engine='openai-batch' or 'anthropic-batch' sends the calls as provider batches (half price, resumable)."
        ) { ctx, me, a in
            try ParallelBinding.batch(ctx, me, a)
        }
        t.method("forward", "forward(self, **kwargs)", doc: "The module's logic (call the module instead, so callbacks and history see it).") {
            ctx, me, a in
            let m = try object(me)
            guard !(m.peer is PythonModule) else {
                throw PyError.notImplemented("\(m.type.name) does not define forward(self, ...)")
            }
            return try call(ctx, me, a, async: false)
        }
        t.method("deepcopy", "deepcopy()", doc: "A copy of the program (predictors get their own demos and LM).") { ctx, me, _ in
            try copyModule(ctx, try object(me))
        }
        t.method("reset_copy", "reset_copy()", doc: "A copy with demos cleared.") { ctx, me, _ in
            let c = try copyModule(ctx, try object(me))
            if let cm = c.as(ModuleObject.self) { for (_, p) in try namedPredictors(ctx, cm) { (p.peer as? Predict)?.demos = [] } }
            return c
        }
        t.method("__repr__") { ctx, me, _ in .str(try repr(ctx, try object(me))) }
        t.method("dump_state", "dump_state()", doc: "The program's state: per predictor its demos, signature and LM.") { ctx, me, _ in
            Convert.python(try object(me).peer.dumpState())
        }
        t.method("load_state", "load_state(state, *, allow_unsafe_lm_state=False)", doc: "Apply a dump_state() value (all or nothing).") {
            ctx, me, a in
            let p = try a.bind("load_state", ["state", "allow_unsafe_lm_state"], required: 1)
            let m = try object(me)
            let state = try Convert.value(ctx, p[0] ?? .none)
            let unsafe = try p[1].map { try ctx.truthy($0) } ?? false
            try ctx.dspy { try m.peer.loadState(state, allowUnsafeLMState: unsafe) }
            try refreshSignatures(ctx, m)
            return me
        }
        t.method("save", "save(path, save_program=False)", doc: "Write the program's state as DSPy's JSON (loads in Python DSPy too).") {
            ctx, me, a in
            let p = try a.bind("save", ["path", "save_program", "modules_to_serialize"], required: 1)
            if try p[1].map({ try ctx.truthy($0) }) == true {
                throw PyError.notImplemented(
                    "save_program=True pickles the whole program, which dspy-repl does not do: save the state with program.save(\"program.json\") and rebuild the program in code"
                )
            }
            let path = try ctx.strArg(p[0] ?? .none, "save")
            let peer = try object(me).peer
            let resolved = (path as NSString).expandingTildeInPath
            try checkReplaceable(resolved, shown: path)
            try ctx.dspy { try peer.save(to: resolved) }
            return .none
        }
        t.method("load", "load(path, allow_pickle=False, allow_unsafe_lm_state=False)", doc: "Read a state written by save (here or in Python DSPy).")
        { ctx, me, a in
            let p = try a.bind("load", ["path", "allow_pickle", "allow_unsafe_lm_state"], required: 1)
            let path = try ctx.strArg(p[0] ?? .none, "load")
            let m = try object(me)
            let unsafe = try p[2].map { try ctx.truthy($0) } ?? false
            if path.hasSuffix(".pkl") {
                throw PyError.notImplemented(
                    "dspy-repl reads only JSON state (a .pkl runs pickled code): save it from Python DSPy with program.save(\"program.json\")")
            }
            try ctx.dspy { try m.peer.load(from: (path as NSString).expandingTildeInPath, allowUnsafeLMState: unsafe) }
            try refreshSignatures(ctx, m)
            return .none
        }
    }

    /// `save` writes only program state: it replaces an existing file only when that file is a
    /// saved program too, so a typo cannot overwrite a script or a dataset.
    static func checkReplaceable(_ path: String, shown: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { return }
        if case .object(let o)? = try? JSON.parse(bytes: Array(data.prefix(64 << 20))), o["metadata"]?["dependency_versions"] != .null { return }
        throw PyError(
            Builtins.permissionErrorType,
            "refusing to overwrite \(Repr.string(shown)): it is not a saved DSPy program; choose another path or remove it first")
    }

    /// After a load, the predictors' Python reprs follow their new signatures.
    static func refreshSignatures(_ ctx: ExecContext, _ m: ModuleObject) throws {
        let all = m.peer is Predict ? [("self", m)] : try namedPredictors(ctx, m)
        for (_, p) in all {
            guard let predict = p.peer as? Predict else { continue }
            p.signatureInfo?.signature = predict.signature
            p.demosLoadedAsDicts = true
        }
    }

    static func copyModule(_ ctx: ExecContext, _ m: ModuleObject) throws -> PyValue {
        if let p = m.peer as? Predict {
            return .object(ModuleObject(cls: m.type, peer: p.copy(), signatureInfo: m.signatureInfo))
        }
        if let c = m.peer as? ChainOfThought, let info = m.signatureInfo {
            let copy = chainOfThought(c.copy(), info: info)
            if m.type !== DSPyTypes.chainOfThought { return .object(retyped(copy, as: m.type)) }
            return .object(copy)
        }
        if let r = m.peer as? ReAct, let info = m.signatureInfo {
            return .object(reactObject(r.copy(), cls: m.type, info: info))
        }
        let copy = try ctx.construct(m.type, bare: true)
        guard let c = copy.as(ModuleObject.self) else { return copy }
        for (k, v) in m.dict.pairs {
            if let child = v.as(ModuleObject.self) { c.dict.set(k, try copyModule(ctx, child)) } else { c.dict.set(k, v) }
            if let name = k.value.stringValue { attributeSet(ctx, c, name, c.dict.get(k) ?? .none) }
        }
        if !(m.peer is PythonModule) { c.peer = m.peer }
        return copy
    }

    /// The `lm=` and the LM parameters of a `Predict(...)`/`ChainOfThought(...)` call, in the
    /// order given (DSPy's `predict.config` keeps it).
    static func predictConfig(_ ctx: ExecContext, _ keywords: [(name: String, value: PyValue)], _ fn: String) throws -> (
        LM?, OrderedDictionary<String, Value>
    ) {
        var lm: LM?
        var config = OrderedDictionary<String, Value>()
        for (k, v) in keywords {
            switch k {
            case "lm": lm = v.isNone ? nil : try LMBinding.lm(v)
            case "n":
                let count = try ctx.intArg(v)
                guard count >= 1 && count <= LMRequest.maxCompletions else {
                    throw PyError.value("n must be from 1 to \(LMRequest.maxCompletions), got \(count)")
                }
                config["n"] = .int(count)
            case "temperature": config["temperature"] = .double(try ctx.toDouble(v))
            case "callbacks", "rationale_field_type": continue
            default: config[k] = try Convert.value(ctx, v)
            }
        }
        return (lm, config)
    }

    static func installPredict(_ t: PyType) {
        t.doc = "One LM call for a signature: dspy.Predict(\"question -> answer\", temperature=..., n=...)."
        t.native.construct = { ctx, cls, a in
            guard let first = a.positional.first ?? a.keyword("signature") else {
                throw PyError.type("Predict() missing 1 required positional argument: 'signature' (e.g. dspy.Predict(\"question -> answer\"))")
            }
            let info = try SignatureBinding.signatureInfo(ctx, first)
            let (lm, config) = try predictConfig(ctx, a.keywords.filter { $0.name != "signature" }, "Predict")
            let p = Predict(info.signature, lm: lm, config: config)
            return .object(ModuleObject(cls: cls, peer: p, signatureInfo: info))
        }
        @Sendable func predict(_ v: PyValue) throws -> Predict {
            guard let p = try object(v).peer as? Predict else { throw PyError.type("not a Predict") }
            return p
        }
        t.property(
            "signature", doc: "The signature class.",
            get: { _, me in
                let m = try object(me)
                let current = try predict(me).signature
                // The library's signature is the truth (optimizers and load change it); the
                // declaration keeps the class name for reprs.
                var info = m.signatureInfo ?? SignatureInfo(signature: current, className: "StringSignature", fromString: true)
                info.signature = current
                return SignatureBinding.classValue(info)
            },
            set: { ctx, me, v in
                let m = try object(me)
                let info = try SignatureBinding.signatureInfo(ctx, v)
                try predict(me).signature = info.signature
                m.signatureInfo = info
            })
        t.property(
            "lm", doc: "This predictor's own LM (None: the configured one).",
            get: { _, me in
                try predict(me).lm.map { .object(LMObject.wrap($0)) } ?? .none
            }, set: { _, me, v in try predict(me).lm = v.isNone ? nil : try LMBinding.lm(v) })
        t.property(
            "demos", doc: "Few-shot examples shown before the request.",
            get: { _, me in
                let asDicts = try object(me).demosLoadedAsDicts
                return .object(PyList(try predict(me).demos.map { asDicts ? Convert.python(.object($0.values)) : .object(RecordObject.example($0)) }))
            },
            set: { ctx, me, v in
                try predict(me).demos = try ctx.iterateToArray(v).map { try example(ctx, $0) }
                try object(me).demosLoadedAsDicts = false
            })
        t.property("config", doc: "Default LM parameters for this predictor.", get: { _, me in Convert.python(.object(try predict(me).config)) })
        t.method("reset", "reset()", doc: "Clear the LM and demos.") { _, me, _ in
            let p = try predict(me)
            p.lm = nil
            p.demos = []
            return .none
        }
    }

    static func installChainOfThought(_ t: PyType) {
        t.doc = "Predict with a reasoning field first: dspy.ChainOfThought(\"question -> answer\")."
        t.native.construct = { ctx, cls, a in
            guard let first = a.positional.first ?? a.keyword("signature") else {
                throw PyError.type("ChainOfThought() missing 1 required positional argument: 'signature'")
            }
            let info = try SignatureBinding.signatureInfo(ctx, first)
            let (lm, config) = try predictConfig(ctx, a.keywords.filter { $0.name != "signature" && $0.name != "rationale_field" }, "ChainOfThought")
            do {
                let c = try ChainOfThought(info.signature, lm: lm, config: config)
                let o = chainOfThought(c, info: info)
                if cls !== DSPyTypes.chainOfThought { o.type = cls }
                return .object(o)
            } catch {
                throw DSPyErrors.python(error)
            }
        }
        t.property(
            "signature",
            get: { _, me in
                let m = try object(me)
                guard let c = m.peer as? ChainOfThought else { return .none }
                return SignatureBinding.classValue(
                    m.signatureInfo ?? SignatureInfo(signature: c.signature, className: "StringSignature", fromString: true))
            })
    }

    /// The Python object of a library ReAct, with its predictors and tools as attributes.
    static func reactObject(_ r: ReAct, cls: PyType, info: SignatureInfo) -> ModuleObject {
        let o = ModuleObject(cls: cls, peer: r, signatureInfo: info)
        o.dict.setString(
            "react",
            .object(
                ModuleObject(
                    cls: DSPyTypes.predict, peer: r.react,
                    signatureInfo: SignatureInfo(signature: r.react.signature, className: "StringSignature", fromString: true))))
        o.dict.setString(
            "extract",
            .object(chainOfThought(r.extract, info: SignatureInfo(signature: r.extract.signature, className: "StringSignature", fromString: true))))
        o.dict.setString("tools", .object(PyDict(r.tools.map { ($0.key, .object(ToolObject($0.value, function: .none))) })))
        o.dict.setString("max_iters", .int(r.maxIters))
        return o
    }

    /// A copy of a module object under a subclass (its attributes kept).
    static func retyped(_ o: ModuleObject, as cls: PyType) -> ModuleObject {
        let c = ModuleObject(cls: cls, peer: o.peer, signatureInfo: o.signatureInfo)
        for (k, v) in o.dict.pairs { c.dict.set(k, v) }
        return c
    }

    static func installReAct(_ t: PyType) {
        t.doc = "An agent loop: dspy.ReAct(\"question -> answer\", tools=[...], max_iters=20)."
        t.native.construct = { ctx, cls, a in
            let p = try a.bind("ReAct", ["signature", "tools", "max_iters"], required: 1)
            let info = try SignatureBinding.signatureInfo(ctx, p[0] ?? .none)
            guard let toolsValue = p[1] else {
                throw PyError.type(
                    "ReAct() missing 1 required positional argument: 'tools' (functions, dspy.Tool objects, or the built-ins calculate and now)")
            }
            let tools = try ctx.iterateToArray(toolsValue).map { try ToolBinding.tool(ctx, $0) }
            let maxIters = try p[2].map { try ctx.intArg($0) } ?? 20
            guard maxIters >= 1 && maxIters <= 1000 else { throw PyError.value("max_iters must be from 1 to 1000, got \(maxIters)") }
            do {
                return .object(reactObject(try ReAct(info.signature, tools: tools, maxIters: maxIters), cls: cls, info: info))
            } catch {
                throw DSPyErrors.python(error)
            }
        }
        t.property(
            "signature",
            get: { _, me in
                let m = try object(me)
                guard let r = m.peer as? ReAct else { return .none }
                return SignatureBinding.classValue(
                    m.signatureInfo ?? SignatureInfo(signature: r.signature, className: "StringSignature", fromString: true))
            })
    }
}

extension ExecContext {
    /// A new instance of a module class without running `__init__` (for copies).
    func construct(_ cls: PyType, bare: Bool) throws -> PyValue {
        guard let make = cls.native.makeInstance else { throw PyError.type("cannot copy \(cls.name)") }
        return .object(try make(self, cls))
    }
}
