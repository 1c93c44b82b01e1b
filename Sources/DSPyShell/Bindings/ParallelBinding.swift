import DSPy
import OrderedCollections
import PythonInterpreter

/// `module.batch(...)`, `dspy.Parallel(...)` and `dspy.asyncify(...)` on the library's parallel
/// machinery: the caller's scope reaches every worker, results keep input order, failures are
/// logged and come back as None (or, with `return_failed_examples=True`, with the inputs and
/// exceptions, as DSPy returns them).
final class ParallelObject: PyNativeObject<(options: ParallelOptions, returnFailed: Bool, accessExamples: Bool)>, @unchecked Sendable {
    // Sendable proof: as every Python object, touched only under the interpreter lock.
    init(options: ParallelOptions, returnFailed: Bool, accessExamples: Bool) {
        super.init(type: DSPyTypes.parallel, payload: (options, returnFailed, accessExamples))
    }
}

enum ParallelBinding {
    static let optionNames = [
        "num_threads", "max_errors", "return_failed_examples", "provide_traceback", "disable_progress_bar",
        "timeout", "straggler_limit",
    ]

    /// Parallel options from keyword arguments (`timeout` checked: a huge or NaN timeout is an error).
    static func options(_ ctx: ExecContext, _ values: [String: PyValue]) throws -> (ParallelOptions, Bool) {
        func int(_ k: String) throws -> Int? { try ctx.optional(values[k]).map { try ctx.intArg($0) } }
        func bool(_ k: String) throws -> Bool? { try ctx.optional(values[k]).map { try ctx.truthy($0) } }
        if let n = try int("num_threads"), n < 1 { throw PyError.value("num_threads must be at least 1, got \(n)") }
        let options = ParallelOptions(
            numThreads: try int("num_threads"), maxErrors: try int("max_errors"),
            provideTraceback: try bool("provide_traceback"),
            disableProgressBar: try bool("disable_progress_bar") ?? false,
            timeout: try LMBinding.seconds(
                ctx, values["timeout"], "timeout",
                default: ParallelOptions.defaultTimeout.seconds),
            stragglerLimit: try int("straggler_limit") ?? ParallelOptions.defaultStragglerLimit)
        return (options, try bool("return_failed_examples") ?? false)
    }

    /// One unit of parallel work: the library call, and the original item for reporting.
    struct Item: Sendable {
        let work: ModuleBinding.CallWork?
        let function: PyValue?
        let args: Args
        let original: PyValue
        let description: Value
        /// Why the item cannot run (an Example without inputs, ...): it fails in its worker,
        /// as in DSPy, and the others run.
        var unrunnable: PyError? = nil
    }

    static func keywords(_ ctx: ExecContext, of example: PyValue, accessExamples: Bool) throws -> Args {
        if let r = example.as(RecordObject.self) {
            if accessExamples {
                guard let keys = r.inputKeys else {
                    throw PyError.value("Inputs have not been set for this example. Use `example.with_inputs()` to set them.")
                }
                return Args([], keywords: keys.compactMap { k in r.get(k).map { (k, $0) } })
            }
            return Args([example])
        }
        if let d = example.as(PyDict.self) {
            return Args([], keywords: try d.pairs.map { (try Convert.keyString(ctx, $0.key.value), $0.value) })
        }
        if let t = example.as(PyTuple.self) { return Args(t.items) }
        if let l = example.as(PyList.self) { return Args(l.items) }
        throw PyError.type("Invalid example type: \(example.typeName), only supported types are Example, dict, list and tuple")
    }

    static func item(_ ctx: ExecContext, callee: PyValue, example: PyValue, accessExamples: Bool) throws -> Item {
        let description = try Convert.value(ctx, example)
        do {
            let args = try keywords(ctx, of: example, accessExamples: accessExamples)
            if let m = callee.as(ModuleObject.self) {
                return Item(
                    work: try ModuleBinding.callWork(ctx, m, args, isAsync: false), function: nil, args: args, original: example,
                    description: description)
            }
            return Item(work: nil, function: callee, args: args, original: example, description: description)
        } catch let error as PyError {
            return Item(work: nil, function: nil, args: Args([]), original: example, description: description, unrunnable: error)
        }
    }

    /// Runs the items on `engine` (the library's `batchMap`) and gives back Python results in order.
    static func run(_ ctx: ExecContext, _ items: [Item], options: ParallelOptions, returnFailed: Bool, engine: BatchEngine = .threads) throws
        -> PyValue
    {
        let interpreter = ctx.interpreter
        let results = try ctx.dspy {
            try await batchMap(items, options: options, engine: engine, describe: { $0.description }) { item -> ItemOutcome in
                if let error = item.unrunnable { throw error }
                if let work = item.work { return .prediction(try await work.run()) }
                let function = item.function ?? .none, args = item.args
                return .value(try await interpreter.runPython { ctx in try ctx.call(function, args) })
            }
        }
        var out: [PyValue] = []
        var failedExamples: [PyValue] = []
        var errors: [PyValue] = []
        for (i, r) in results.items.enumerated() {
            switch r {
            case .success(.prediction(let p)):
                if let work = items[i].work {
                    out.append(try ModuleBinding.result(ctx, work, p))
                } else {
                    out.append(.object(RecordObject.prediction(p)))
                }
            case .success(.value(let v)):
                out.append(v)
            case .failure(let f):
                out.append(.none)
                failedExamples.append(items[i].original)
                let e = (f.error as? PyError) ?? DSPyErrors.python(f.error)
                errors.append(.object(e.exception))
            }
        }
        let list = PyValue.object(PyList(out))
        guard returnFailed else { return list }
        return .object(PyTuple([list, .object(PyList(failedExamples)), .object(PyList(errors))]))
    }

    enum ItemOutcome: Sendable {
        case prediction(Prediction)
        case value(PyValue)
    }

    static func batch(_ ctx: ExecContext, _ me: PyValue, _ a: Args) throws -> PyValue {
        guard let examples = a.positional.first ?? a.keyword("examples") else {
            throw PyError.type("batch() missing 1 required positional argument: 'examples'")
        }
        var values: [String: PyValue] = [:]
        var engineValues: [String: PyValue] = [:]
        for (k, v) in a.keywords where k != "examples" {
            if k == "engine" || engineOptionNames.contains(k) {
                engineValues[k] = v
                continue
            }
            guard optionNames.contains(k) else { throw PyError.type("batch() got an unexpected keyword argument '\(k)'") }
            values[k] = v
        }
        let (options, returnFailed) = try options(ctx, values)
        let engine = try engine(ctx, engineValues)
        let items = try ctx.iterateToArray(examples).map { try item(ctx, callee: me, example: $0, accessExamples: true) }
        return try run(ctx, items, options: options, returnFailed: returnFailed, engine: engine)
    }

    /// The provider batch engine's knobs as `batch()` keywords, in seconds and counts.
    static let engineOptionNames = [
        "poll_interval", "max_poll_interval", "max_requests_per_batch", "max_bytes_per_batch", "max_items_in_flight", "completion_window",
    ]

    /// `engine="openai-batch"` and its knobs; the default is the threads engine.
    static func engine(_ ctx: ExecContext, _ values: [String: PyValue]) throws -> BatchEngine {
        let name = try ctx.optional(values["engine"]).map { try ctx.strArg($0, "batch", "argument 'engine'") } ?? "threads"
        var o = ProviderBatchOptions()
        func int(_ k: String) throws -> Int? { try ctx.optional(values[k]).map { try ctx.intArg($0) } }
        if values["poll_interval"] != nil { o.pollInterval = try LMBinding.seconds(ctx, values["poll_interval"], "poll_interval", default: 0) }
        if values["max_poll_interval"] != nil {
            o.maxPollInterval = try LMBinding.seconds(ctx, values["max_poll_interval"], "max_poll_interval", default: 0)
        } else if o.pollInterval > o.maxPollInterval {
            o.maxPollInterval = o.pollInterval
        }
        o.maxRequestsPerBatch = try int("max_requests_per_batch")
        o.maxBytesPerBatch = try int("max_bytes_per_batch")
        if let n = try int("max_items_in_flight") { o.maxItemsInFlight = n }
        if let w = ctx.optional(values["completion_window"]) { o.completionWindow = try ctx.strArg(w, "batch", "argument 'completion_window'") }
        do {
            let engine = try BatchEngine.named(name, options: try o.validated())
            if engine == .threads, let k = engineOptionNames.first(where: { values[$0] != nil }) {
                throw PyError.type("batch() got '\(k)', which only a provider batch engine takes (engine=\"openai-batch\" or \"anthropic-batch\")")
            }
            return engine
        } catch let e as BatchEngineError {
            throw PyError.value(([e.summary] + e.hints).joined(separator: " "))
        }
    }

    static func installParallel(_ t: PyType) {
        t.doc = "Runs (module, example) pairs at once: dspy.Parallel(num_threads=4)([(qa, ex), ...])."
        t.native.construct = { ctx, _, a in
            guard a.positional.isEmpty else { throw PyError.type("Parallel() takes keyword arguments only") }
            var values: [String: PyValue] = [:]
            var access = true
            for (k, v) in a.keywords {
                if k == "access_examples" { access = try ctx.truthy(v); continue }
                guard optionNames.contains(k) else { throw PyError.type("Parallel() got an unexpected keyword argument '\(k)'") }
                values[k] = v
            }
            let (options, returnFailed) = try options(ctx, values)
            return .object(ParallelObject(options: options, returnFailed: returnFailed, accessExamples: access))
        }
        t.method("__call__", "__call__(exec_pairs, num_threads=None)", doc: "Run the (module, example) pairs; results in input order.") {
            ctx, me, a in
            guard let p = me.as(ParallelObject.self) else { return .none }
            guard let pairs = a.positional.first else { throw PyError.type("Parallel() needs a list of (module, example) pairs") }
            var options = p.payload.options
            if let n = try ctx.optional(a.keyword("num_threads")).map({ try ctx.intArg($0) }) { options.numThreads = n }
            let items = try ctx.iterateToArray(pairs).map { pair -> Item in
                let parts = try ctx.iterateToArray(pair)
                guard parts.count == 2 else { throw PyError.value("each item must be a (module, example) pair") }
                return try item(ctx, callee: parts[0], example: parts[1], accessExamples: p.payload.accessExamples)
            }
            return try run(ctx, items, options: options, returnFailed: p.payload.returnFailed)
        }
        t.method("__repr__") { _, me, _ in
            .str("Parallel(num_threads=\(me.as(ParallelObject.self)?.payload.options.numThreads.map(String.init) ?? "None"))")
        }
        // DSPy's attributes, as its __init__ resolves them (num_threads and max_errors from the
        // settings when not given).
        @Sendable func payload(_ me: PyValue) throws -> (options: ParallelOptions, returnFailed: Bool, accessExamples: Bool) {
            guard let p = me.as(ParallelObject.self) else { throw PyError.type("expected a Parallel") }
            return p.payload
        }
        t.property("num_threads", get: { _, me in .int(try payload(me).options.numThreads ?? Settings.current.numThreads) })
        t.property("max_errors", get: { _, me in .int(try payload(me).options.maxErrors ?? Settings.current.maxErrors) })
        t.property(
            "timeout",
            get: { _, me in
                let seconds = try payload(me).options.timeout.seconds
                return seconds == seconds.rounded() && abs(seconds) < 1e15 ? .int(Int(seconds)) : .float(seconds)
            })
        t.property("straggler_limit", get: { _, me in .int(try payload(me).options.stragglerLimit) })
        t.property("access_examples", get: { _, me in .bool(try payload(me).accessExamples) })
        t.property("return_failed_examples", get: { _, me in .bool(try payload(me).returnFailed) })
        t.property("provide_traceback", get: { _, me in try payload(me).options.provideTraceback.map(PyValue.bool) ?? .none })
        t.property("disable_progress_bar", get: { _, me in .bool(try payload(me).options.disableProgressBar) })
    }

    /// `dspy.asyncify(program)`: an async callable that runs the program on the worker pool
    /// (bounded by async_max_workers) in the caller's scope.
    static func asyncify(_ ctx: ExecContext, _ a: Args) throws -> PyValue {
        try a.check("asyncify", min: 1, max: 1)
        let program = a[0]
        let interpreter = ctx.interpreter
        let name = (try? ctx.getAttr(program, "__name__").stringValue) ?? nil
        return .object(
            PyBuiltinFunction("asyncify(\(name ?? program.typeName))", signature: "(*args, **kwargs)") { _, args in
                .object(
                    PyNativeAwaitable(
                        name: "asyncify",
                        work: {
                            let run = DSPy.asyncify { () throws -> PyValue in try interpreter.runPythonBlocking { ctx in try ctx.call(program, args) }
                            }
                            return try await run()
                        }, convert: { _, r in r as? PyValue ?? .none }))
            })
    }
}
