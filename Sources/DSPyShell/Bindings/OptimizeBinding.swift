import DSPy
import Foundation
import OrderedCollections
import PythonInterpreter

/// DSPy's loop in the shell: `dspy.Evaluate`, the metrics of `dspy.evaluate`, the optimizers
/// (`LabeledFewShot`, `BootstrapFewShot`, `BootstrapFewShotWithRandomSearch`) and
/// `module.save/load`. The work is the library's; Python metrics and modules are called back
/// under the interpreter lock.
enum OptimizeBinding {
    // MARK: Metrics

    /// A library metric from a Python callable (the built-in metrics run without Python).
    static func metric(_ ctx: ExecContext, _ fn: PyValue) throws -> Metric {
        if let native = fn.as(MetricFunction.self) { return native.payload }
        if let judge = fn.as(ModuleObject.self)?.peer as? SemanticF1 { return judge.metric }
        guard case .object(let callee) = fn,
            callee is PyFunction || callee is PyBuiltinFunction || callee is PyBoundMethod
                || callee.type.lookup("__call__") != nil
        else { throw PyError.type("metric must be a function (example, prediction, trace=None) -> float | bool, not \(fn.typeName)") }
        let name = (try? ctx.lookupAttr(fn, "__name__"))?.flatMap { $0.stringValue } ?? fn.typeName
        let interpreter = ctx.interpreter
        return Metric(name) { example, prediction, trace in
            try await interpreter.runPython { ctx in
                var args: [PyValue] = [.object(RecordObject.example(example)), .object(RecordObject.prediction(prediction))]
                if let trace { args.append(traceList(trace)) }
                return try score(ctx, try ctx.call(fn, Args(args)), metric: name)
            }
        }
    }

    /// A metric's Python result as a score.
    static func score(_ ctx: ExecContext, _ v: PyValue, metric name: String) throws -> Value {
        if case .bool(let b) = v { return .bool(b) }
        if case .int(let i) = v { return .int(i) }
        if case .float(let d) = v { return .double(d) }
        if let custom = try? ctx.toDouble(v) { return .double(custom) }
        // A module used as a metric (DSPy's SemanticF1) returns Prediction(score=...).
        if let record = v.as(RecordObject.self), let inner = record.get("score") { return try score(ctx, inner, metric: name) }
        throw PyError.type("the metric \(name) returned \(v.typeName); a metric returns a bool or a number")
    }

    /// `trace` as DSPy hands it to a metric: `[(predictor, inputs, outputs), ...]`.
    static func traceList(_ trace: [TraceEntry]) -> PyValue {
        .object(
            PyList(
                trace.map { step in
                    let inputs = PyDict()
                    for (k, v) in step.inputs { inputs.setString(k, Convert.python(v)) }
                    return .object(PyTuple([ModuleBinding.wrap(step.predictor), .object(inputs), .object(RecordObject.prediction(step.prediction))]))
                }))
    }

    /// A built-in metric as a Python function that also runs natively inside Evaluate.
    final class MetricFunction: PyNativeObject<Metric>, @unchecked Sendable {
        // Sendable proof: as every Python object, touched only under the interpreter lock.
    }

    static let metricFunctionType = Builtins.makeType(
        "metric_function", base: Builtins.objectType, module: "dspy.evaluate",
        native: .init(subclassable: false)
    ) { t in
        t.method("__call__", "__call__(example, pred, trace=None)", doc: "Score a prediction against an example.") { ctx, me, a in
            guard let m = me.as(MetricFunction.self) else { return .none }
            let p = try a.bind(m.payload.name, ["example", "pred", "trace", "frac"], required: 2)
            let example = try ModuleBinding.example(ctx, p[0] ?? .none)
            guard let record = p[1]?.as(RecordObject.self) else { throw PyError.type("\(m.payload.name) needs a dspy.Prediction as pred") }
            let prediction = try record.prediction(ctx)
            let frac = try ctx.optional(p[3]).map { try ctx.toDouble($0) }
            let metric = frac.map { Metric.answerExactMatch(frac: $0) } ?? m.payload
            let value = try ctx.dspy { try await metric(example, prediction) }
            return Convert.python(value)
        }
        t.property("__name__", get: { _, me in .str(me.as(MetricFunction.self)?.payload.name ?? "metric") })
        t.method("__repr__") { _, me, _ in .str("<function \(me.as(MetricFunction.self)?.payload.name ?? "metric")>") }
    }

    static func metricValue(_ m: Metric) -> PyValue { .object(MetricFunction(type: metricFunctionType, payload: m)) }

    /// Text functions of `dspy.evaluate.metrics` over Python strings.
    static func textFunction(_ name: String, _ body: @escaping @Sendable (String, [String]) -> PyValue) -> PyValue {
        .object(
            PyBuiltinFunction(name, signature: "\(name)(prediction, answers_list)") { ctx, a in
                try a.check(name, min: 2, max: 2)
                let prediction = try ctx.strArg(a[0], name)
                guard let list = a[1].as(PyList.self) else { throw PyError.value("`answers_list` must be a list, got <class '\(a[1].typeName)'>") }
                return body(prediction, try list.items.map { try ctx.strArg($0, name) })
            })
    }

    /// A score as DSPy's functions return it: the int 0 when nothing overlaps, else a float.
    static func overlap(_ x: Double) -> PyValue { x == 0 ? .int(0) : .float(x) }

    /// `em_score(prediction, ground_truth)`-style functions of two strings.
    static func pairFunction(_ name: String, _ body: @escaping @Sendable (String, String) -> PyValue) -> PyValue {
        .object(
            PyBuiltinFunction(name, signature: "\(name)(prediction, ground_truth)") { ctx, a in
                try a.check(name, min: 2, max: 2)
                return body(try ctx.strArg(a[0], name), try ctx.strArg(a[1], name))
            })
    }

    static func evaluateModule(name: String) -> PyModule {
        let m = PyModule(name: name, doc: "Evaluate programs on dev sets, and DSPy's metrics.")
        m.define("Evaluate", .object(OptimizeTypes.evaluate))
        m.define("EvaluationResult", .object(OptimizeTypes.evaluationResult))
        m.define("answer_exact_match", metricValue(.answerExactMatch))
        m.define("answer_passage_match", metricValue(.answerPassageMatch))
        m.define("SemanticF1", .object(OptimizeTypes.semanticF1))
        m.define(
            "normalize_text",
            .object(
                PyBuiltinFunction(
                    "normalize_text", signature: "normalize_text(s)",
                    doc: "Lowercase, drop punctuation and articles, collapse whitespace."
                ) { ctx, a in
                    try a.check("normalize_text", min: 1, max: 1)
                    return .str(AnswerText.normalize(try ctx.strArg(a[0], "normalize_text")))
                }))
        m.define("EM", textFunction("EM") { .bool(AnswerText.exactMatch($0, $1)) })
        m.define("F1", textFunction("F1") { overlap(AnswerText.f1($0, $1)) })
        m.define("HotPotF1", textFunction("HotPotF1") { overlap(AnswerText.hotpotF1($0, $1)) })
        m.define("em_score", pairFunction("em_score") { .bool(AnswerText.exactMatch($0, [$1])) })
        m.define("f1_score", pairFunction("f1_score") { overlap(AnswerText.f1($0, [$1])) })
        m.define("hotpot_f1_score", pairFunction("hotpot_f1_score") { overlap(AnswerText.hotpotF1($0, [$1])) })
        m.define("precision_score", pairFunction("precision_score") { overlap(AnswerText.precision($0, $1)) })
        return m
    }

    // MARK: Evaluate

    static let evaluateOptions =
        [
            "devset", "metric", "num_threads", "display_progress", "display_table", "max_errors",
            "provide_traceback", "failure_score", "save_as_csv", "save_as_json", "engine",
        ] + ParallelBinding.engineOptionNames

    static func installEvaluate(_ t: PyType) {
        t.doc = "Score a program on a dev set: dspy.Evaluate(devset=..., metric=..., num_threads=8, display_table=5)(program)."
        t.native.construct = { ctx, cls, a in
            guard a.positional.isEmpty else { throw PyError.type("Evaluate() takes keyword arguments only (devset=..., metric=...)") }
            if a.keyword("return_outputs") != nil {
                throw PyError.value(
                    "`return_outputs` is no longer supported. Results are always returned inside the `results` field of the `EvaluationResult` object."
                )
            }
            guard let devset = a.keyword("devset") else { throw PyError.type("Evaluate() missing 1 required keyword-only argument: 'devset'") }
            _ = try ParallelBinding.engine(
                ctx, Dictionary(a.keywords.filter { $0.0 == "engine" || ParallelBinding.engineOptionNames.contains($0.0) }) { _, b in b })
            let o = PyInstance(cls: cls)
            for name in evaluateOptions { o.dict.setString(name, .none) }
            o.dict.setString("display_progress", .false)
            o.dict.setString("display_table", .false)
            o.dict.setString("failure_score", .float(0))
            for (k, v) in a.keywords {
                guard evaluateOptions.contains(k) else { throw PyError.type("Evaluate() got an unexpected keyword argument '\(k)'") }
                o.dict.setString(k, v)
            }
            o.dict.setString("devset", devset)
            return .object(o)
        }
        t.method(
            "__call__",
            "__call__(program, metric=None, devset=None, num_threads=None, display_progress=None, display_table=None, callback_metadata=None)",
            doc: "Run the program on every example, score it, and return an EvaluationResult."
        ) { ctx, me, a in
            let p = try a.bind(
                "__call__",
                [
                    "program", "metric", "devset", "num_threads", "display_progress", "display_table",
                    "callback_metadata", "save_as_csv", "save_as_json",
                ], required: 1)
            guard case .object(let o as PyInstance) = me, let program = p[0]?.as(ModuleObject.self) else {
                throw PyError.type("Evaluate()(program): program must be a dspy module")
            }
            func option(_ i: Int, _ name: String) -> PyValue? { ctx.optional(p[i]) ?? ctx.optional(o.dict.getString(name)) }
            guard let metricFn = option(1, "metric") else {
                throw PyError.type("Evaluate needs a metric: dspy.Evaluate(devset=..., metric=my_metric)")
            }
            let devset = try ctx.iterateToArray(option(2, "devset") ?? .object(PyList()))
            let tableOption = option(5, "display_table")
            var engineValues: [String: PyValue] = [:]
            for name in ["engine"] + ParallelBinding.engineOptionNames {
                if let v = ctx.optional(o.dict.getString(name)) { engineValues[name] = v }
            }
            return try evaluate(
                ctx, program: program, devset: devset, metric: try metric(ctx, metricFn),
                numThreads: try option(3, "num_threads").map { try ctx.intArg($0) },
                displayProgress: try option(4, "display_progress").map { try ctx.truthy($0) } ?? false,
                table: try tableRows(ctx, tableOption),
                maxErrors: try ctx.optional(o.dict.getString("max_errors")).map { try ctx.intArg($0) },
                provideTraceback: try ctx.optional(o.dict.getString("provide_traceback")).map { try ctx.truthy($0) },
                failureScore: try ctx.optional(o.dict.getString("failure_score")).map { try ctx.toDouble($0) } ?? 0,
                saveAsCSV: try option(7, "save_as_csv").map { try ctx.strArg($0, "save_as_csv") },
                saveAsJSON: try option(8, "save_as_json").map { try ctx.strArg($0, "save_as_json") },
                engine: try ParallelBinding.engine(ctx, engineValues))
        }
        t.method("__repr__") { _, _, _ in .str("<dspy.evaluate.evaluate.Evaluate object>") }
    }

    static func tableRows(_ ctx: ExecContext, _ v: PyValue?) throws -> Evaluate.TableRows {
        guard let v, !v.isNone else { return .none }
        if case .bool(let b) = v { return b ? .all : .none }
        let n = try ctx.intArg(v)
        return n > 0 ? .first(n) : .none
    }

    /// Runs the library's Evaluate and builds DSPy's result, printing the table when asked.
    static func evaluate(
        _ ctx: ExecContext, program: ModuleObject, devset: [PyValue], metric: Metric, numThreads: Int?,
        displayProgress: Bool, table: Evaluate.TableRows, maxErrors: Int?, provideTraceback: Bool?,
        failureScore: Double, saveAsCSV: String? = nil, saveAsJSON: String? = nil, engine: BatchEngine = .threads
    ) throws -> PyValue {
        try evaluateKeepingResult(
            ctx, program: program, devset: devset, metric: metric, numThreads: numThreads,
            displayProgress: displayProgress, table: table, maxErrors: maxErrors,
            provideTraceback: provideTraceback, failureScore: failureScore,
            saveAsCSV: saveAsCSV, saveAsJSON: saveAsJSON, engine: engine
        ).value
    }

    /// ``evaluate(_:program:devset:metric:numThreads:displayProgress:table:maxErrors:provideTraceback:failureScore:)``
    /// with the library's result too (for `%eval`'s failure lines).
    static func evaluateKeepingResult(
        _ ctx: ExecContext, program: ModuleObject, devset: [PyValue], metric: Metric, numThreads: Int?,
        displayProgress: Bool, table: Evaluate.TableRows, maxErrors: Int?, provideTraceback: Bool?,
        failureScore: Double, saveAsCSV: String? = nil, saveAsJSON: String? = nil, engine: BatchEngine = .threads
    )
        throws -> (value: PyValue, result: EvaluationResult)
    {
        let examples = try devset.map { try ModuleBinding.example(ctx, $0) }
        // Checked before the run, so that a path that will be refused costs no calls.
        let csvPath = try saveAsCSV.map { try resultsPath($0, metric: metric.name, json: false) }
        let jsonPath = try saveAsJSON.map { try resultsPath($0, metric: metric.name, json: true) }
        let evaluate = Evaluate(
            devset: examples, metric: metric, numThreads: numThreads, displayProgress: displayProgress,
            maxErrors: maxErrors, provideTraceback: provideTraceback, failureScore: failureScore,
            saveAsCSV: csvPath, saveAsJSON: jsonPath, engine: engine)
        let peer = program.peer
        let shell = try ctx.shell
        let result: EvaluationResult
        // Ctrl-C ends the statement with PyInterrupt; the items that finished come out here.
        let partial = Locked<EvaluationResult?>(nil)
        do {
            result = try ctx.dspy {
                do { return try await evaluate(peer) } catch EvaluateError.interrupted(let kept) {
                    partial.withLock { $0 = kept }
                    throw EvaluateError.interrupted(kept)
                }
            }
        } catch {
            // Give an interrupted run time to hand back what finished (its Python callbacks
            // need the interpreter lock to end, so it is let go meanwhile). The wait ends as
            // soon as the result is there; the bound covers a loaded machine.
            if error is PyInterrupt, partial.withLock({ $0 }) == nil {
                ctx.interpreter.lock.release()
                for _ in 0..<400 where partial.withLock({ $0 }) == nil { Thread.sleep(forTimeInterval: 0.025) }
                ctx.interpreter.lock.acquire()
            }
            if let kept = partial.withLock({ $0 }) {
                shell.write(
                    "interrupted: \(kept.items.count) of \(devset.count) examples finished, score over those \(Value.double(kept.score).pythonRepr) (kept in _)\n"
                )
                ctx.interpreter.builtins.set("_", resultObject(kept, originals: devset, matching: examples))
            }
            throw error
        }
        switch table {
        case .none: break
        case .all: shell.write(result.table(rows: nil, color: shell.color))
        case .first(let n): shell.write(result.table(rows: n, color: shell.color))
        }
        return (resultObject(result, originals: devset, matching: examples), result)
    }

    /// Where `save_as_csv` / `save_as_json` may write: a new file, or one that holds results
    /// saved before with the same metric (a JSON list of records with its key, a CSV whose
    /// header ends with its column), so that a typo cannot overwrite a script or a dataset.
    static func resultsPath(_ path: String, metric: String, json: Bool) throws -> String {
        let resolved = (path as NSString).expandingTildeInPath
        guard let data = FileManager.default.contents(atPath: resolved) else { return resolved }
        if json {
            if case .array(let records)? = try? JSON.parse(bytes: Array(data.prefix(64 << 20))),
                records.allSatisfy({ $0[metric] != .null })
            {
                return resolved
            }
        } else {
            // Bytes, not Characters: "\r\n" is one Character, which a split on "\n" would miss.
            var firstLine = data.prefix(64 << 10).prefix { $0 != UInt8(ascii: "\n") }
            if firstLine.last == UInt8(ascii: "\r") { firstLine = firstLine.dropLast() }
            let header = String(decoding: firstLine, as: UTF8.self)
            if header == metric || header.hasSuffix("," + metric) { return resolved }
        }
        throw PyError(
            Builtins.permissionErrorType,
            "refusing to overwrite \(Repr.string(path)): it does not hold \(metric) results saved by Evaluate; choose another path or remove it first"
        )
    }

    /// DSPy's EvaluationResult for the library's, its examples the caller's own objects.
    static func resultObject(_ result: EvaluationResult, originals: [PyValue], matching examples: [Example]) -> PyValue {
        var used = Set<Int>()
        let items = result.items.map { item -> PyValue in
            // An interrupted run keeps only some items: find each one's original in order.
            let index = examples.indices.first { !used.contains($0) && examples[$0] == item.example }
            if let index { used.insert(index) }
            let original = index.map { originals[$0] } ?? .object(RecordObject.example(item.example))
            return .object(PyTuple([original, .object(RecordObject.prediction(item.prediction)), Convert.python(item.score)]))
        }
        let r = RecordObject(cls: OptimizeTypes.evaluationResult)
        r.store.setString("score", .float(result.score))
        r.store.setString("results", .object(PyList(items)))
        return .object(r)
    }

    static func installEvaluationResult(_ t: PyType) {
        t.doc = "What Evaluate returns: score (a percentage) and results, a list of (example, prediction, score)."
        for name in ["__repr__", "__str__"] {
            t.method(name) { ctx, me, _ in
                let r = try RecordBinding.record(me)
                let score = try ctx.repr(r.get("score") ?? .none)
                let count = (r.get("results")?.as(PyList.self)?.items.count) ?? 0
                return .str("EvaluationResult(score=\(score), results=<list of \(count) results>)")
            }
        }
    }

    // MARK: Optimizers

    /// Copies of Python modules made while a library optimizer runs, kept alive until the
    /// binding has handed the result back to Python (a module's peer holds its object weakly).
    final class CopyPins: Sendable {
        let objects = Locked<[ModuleObject]>([])
    }

    static func student(_ v: PyValue?, _ what: String) throws -> ModuleObject {
        guard let m = v?.as(ModuleObject.self) else { throw PyError.type("\(what) must be a dspy module, not \(v?.typeName ?? "missing")") }
        return m
    }

    /// Runs a compile with copies pinned, and gives back the program as Python sees it.
    static func compile(_ ctx: ExecContext, like student: ModuleObject, _ work: @escaping @Sendable () async throws -> any DSPy.Module) throws
        -> PyValue
    {
        let pins = CopyPins()
        let program = try ctx.dspy { try await PythonModule.$copies.withValue(pins) { try await work() } }
        return withExtendedLifetime(pins) { wrap(program, like: student) }
    }

    /// A compiled copy as a Python object of the student's class and signature declaration.
    static func wrap(_ program: any DSPy.Module, like student: ModuleObject) -> PyValue {
        if let p = program as? Predict, student.peer is Predict {
            return .object(ModuleObject(cls: student.type, peer: p, signatureInfo: student.signatureInfo))
        }
        if let c = program as? ChainOfThought, student.peer is ChainOfThought, let info = student.signatureInfo {
            let o = ModuleBinding.chainOfThought(c, info: info)
            return student.type === DSPyTypes.chainOfThought ? .object(o) : .object(ModuleBinding.retyped(o, as: student.type))
        }
        if let r = program as? ReAct, student.peer is ReAct, let info = student.signatureInfo {
            return .object(ModuleBinding.reactObject(r, cls: student.type, info: info))
        }
        return ModuleBinding.wrap(program)
    }

    static func report(_ ctx: ExecContext) throws -> OptimizerReport {
        let shell = try ctx.shell
        return OptimizerReport { shell.write($0 + "\n") }
    }

    static func trainset(_ ctx: ExecContext, _ v: PyValue?) throws -> [Example] {
        guard let v else { throw PyError.type("compile() missing 1 required keyword-only argument: 'trainset'") }
        return try ctx.iterateToArray(v).map { try ModuleBinding.example(ctx, $0) }
    }

    static func teacherSettings(_ ctx: ExecContext, _ v: PyValue?) throws -> [String: any Sendable] {
        guard let v = ctx.optional(v) else { return [:] }
        guard let d = v.as(PyDict.self) else { throw PyError.type("teacher_settings must be a dict, e.g. {\"lm\": big_lm}") }
        var out: [String: any Sendable] = [:]
        for (k, value) in d.pairs {
            let key = try Convert.keyString(ctx, k.value)
            out[key] = key == "lm" ? try LMBinding.lm(value) : try Convert.value(ctx, value)
        }
        return out
    }

    static func installLabeledFewShot(_ t: PyType) {
        t.doc = "Demos straight from the training set: dspy.LabeledFewShot(k=16).compile(program, trainset=train)."
        t.native.construct = { ctx, cls, a in
            let p = try a.bind("LabeledFewShot", ["k"])
            let o = PyInstance(cls: cls)
            o.dict.setString("k", p[0] ?? .int(16))
            return .object(o)
        }
        t.method("compile", "compile(student, *, trainset, sample=True)", doc: "A copy of student whose predictors have k demos each.") {
            ctx, me, a in
            let p = try a.bind("compile", ["student", "trainset", "sample"], required: 1)
            guard case .object(let o as PyInstance) = me else { return .none }
            let studentObject = try student(p[0], "student")
            let student = studentObject.peer
            let optimizer = LabeledFewShot(k: try ctx.intArg(o.dict.getString("k") ?? .int(16)), sample: try p[2].map { try ctx.truthy($0) } ?? true)
            let train = try trainset(ctx, p[1])
            return try compile(ctx, like: studentObject) { try await optimizer.compile(student, trainset: train) }
        }
    }

    static let bootstrapOptions = [
        "metric", "metric_threshold", "teacher_settings", "max_bootstrapped_demos", "max_labeled_demos",
        "max_rounds", "max_errors",
    ]
    static let randomSearchOptions = [
        "metric", "teacher_settings", "max_bootstrapped_demos", "max_labeled_demos", "max_rounds",
        "num_candidate_programs", "num_threads", "max_errors", "stop_at_score", "metric_threshold",
    ]

    /// Keeps an optimizer's keyword arguments as attributes (as DSPy's objects hold them).
    static func store(_ ctx: ExecContext, _ cls: PyType, _ a: Args, names: [String], _ what: String) throws -> PyInstance {
        let o = PyInstance(cls: cls)
        let p = try a.bind(what, names)
        for (name, v) in zip(names, p) { o.dict.setString(name, v ?? .none) }
        return o
    }

    static func bootstrapper(_ ctx: ExecContext, _ o: PyInstance) throws -> BootstrapFewShot {
        func int(_ k: String, _ d: Int) throws -> Int { try ctx.optional(o.dict.getString(k)).map { try ctx.intArg($0) } ?? d }
        return BootstrapFewShot(
            metric: try ctx.optional(o.dict.getString("metric")).map { try metric(ctx, $0) },
            metricThreshold: try ctx.optional(o.dict.getString("metric_threshold")).map { try ctx.toDouble($0) },
            teacherSettings: try teacherSettings(ctx, o.dict.getString("teacher_settings")),
            maxBootstrappedDemos: try int("max_bootstrapped_demos", 4), maxLabeledDemos: try int("max_labeled_demos", 16),
            maxRounds: try int("max_rounds", 1), maxErrors: try ctx.optional(o.dict.getString("max_errors")).map { try ctx.intArg($0) },
            report: try report(ctx))
    }

    static func installBootstrapFewShot(_ t: PyType) {
        t.doc =
            "Demos from the program's own successful runs: dspy.BootstrapFewShot(metric=..., max_bootstrapped_demos=4).compile(program, trainset=train)."
        t.native.construct = { ctx, cls, a in .object(try store(ctx, cls, a, names: bootstrapOptions, "BootstrapFewShot")) }
        t.method("compile", "compile(student, *, teacher=None, trainset)", doc: "A compiled copy of student with bootstrapped demos.") { ctx, me, a in
            let p = try a.bind("compile", ["student", "teacher", "trainset"], required: 1)
            guard case .object(let o as PyInstance) = me else { return .none }
            let studentObject = try student(p[0], "student")
            let student = studentObject.peer
            let teacher = try ctx.optional(p[1]).map { try self.student($0, "teacher").peer }
            let optimizer = try bootstrapper(ctx, o)
            let train = try trainset(ctx, p[2])
            return try compile(ctx, like: studentObject) { try await optimizer.compile(student, teacher: teacher, trainset: train) }
        }
    }

    static func installRandomSearch(_ t: PyType) {
        t.doc =
            "BootstrapFewShot over many candidate demo sets, the best kept: dspy.BootstrapFewShotWithRandomSearch(metric=..., num_candidate_programs=8)."
        t.native.construct = { ctx, cls, a in
            let o = try store(ctx, cls, a, names: randomSearchOptions, "BootstrapFewShotWithRandomSearch")
            guard ctx.optional(o.dict.getString("metric")) != nil else {
                throw PyError.type("BootstrapFewShotWithRandomSearch() missing 1 required positional argument: 'metric'")
            }
            let shell = try ctx.shell
            let most = try ctx.optional(o.dict.getString("max_bootstrapped_demos")).map { try ctx.intArg($0) } ?? 4
            let count = try ctx.optional(o.dict.getString("num_candidate_programs")).map { try ctx.intArg($0) } ?? 16
            shell.write("Going to sample between 1 and \(most) traces per predictor.\nWill attempt to bootstrap \(count) candidate sets.\n")
            return .object(o)
        }
        t.method(
            "compile", "compile(student, *, teacher=None, trainset, valset=None, restrict=None, labeled_sample=True)",
            doc: "The best of the candidate programs; best.candidate_programs lists every candidate with its score."
        ) { ctx, me, a in
            let p = try a.bind("compile", ["student", "teacher", "trainset", "valset", "restrict", "labeled_sample"], required: 1)
            guard case .object(let o as PyInstance) = me else { return .none }
            func int(_ k: String, _ d: Int) throws -> Int { try ctx.optional(o.dict.getString(k)).map { try ctx.intArg($0) } ?? d }
            let base = try bootstrapper(ctx, o)
            guard let metric = base.metric else { throw PyError.type("BootstrapFewShotWithRandomSearch needs a metric") }
            let search = BootstrapFewShotWithRandomSearch(
                metric: metric, teacherSettings: base.teacherSettings, maxBootstrappedDemos: base.maxBootstrappedDemos,
                maxLabeledDemos: base.maxLabeledDemos, maxRounds: base.maxRounds, numCandidatePrograms: try int("num_candidate_programs", 16),
                numThreads: try ctx.optional(o.dict.getString("num_threads")).map { try ctx.intArg($0) }, maxErrors: base.maxErrors,
                stopAtScore: try ctx.optional(o.dict.getString("stop_at_score")).map { try ctx.toDouble($0) },
                metricThreshold: base.metricThreshold, report: .silent)
            let studentObject = try student(p[0], "student")
            let student = studentObject.peer
            let teacher = try ctx.optional(p[1]).map { try self.student($0, "teacher").peer }
            let train = try trainset(ctx, p[2])
            let valset = try ctx.optional(p[3]).map { try ctx.iterateToArray($0).map { try ModuleBinding.example(ctx, $0) } }
            let restrict = try ctx.optional(p[4]).map { try ctx.iterateToArray($0).map { try ctx.intArg($0) } }
            let labeled = try p[5].map { try ctx.truthy($0) } ?? true
            let reporting = BootstrapFewShotWithRandomSearch(
                metric: search.metric, teacherSettings: search.teacherSettings, maxBootstrappedDemos: search.maxBootstrappedDemos,
                maxLabeledDemos: search.maxLabeledDemos, maxRounds: search.maxRounds, numCandidatePrograms: search.numCandidatePrograms,
                numThreads: search.numThreads, maxErrors: search.maxErrors, stopAtScore: search.stopAtScore,
                metricThreshold: search.metricThreshold, report: .silent)
            let shellReport = try report(ctx)
            let pins = CopyPins()
            let outcome = try ctx.dspy {
                try await PythonModule.$copies.withValue(pins) {
                    var s = reporting
                    s.report = shellReport
                    return try await s.search(student, teacher: teacher, trainset: train, valset: valset, restrict: restrict, labeledSample: labeled)
                }
            }
            return withExtendedLifetime(pins) {
                var objects: [ObjectIdentifier: PyValue] = [:]
                func object(_ m: any DSPy.Module) -> PyValue {
                    guard let id = m.objectIdentity else { return wrap(m, like: studentObject) }
                    if let known = objects[id] { return known }
                    let made = wrap(m, like: studentObject)
                    objects[id] = made
                    return made
                }
                let best = object(outcome.best)
                let candidates = outcome.candidates.map { c -> PyValue in
                    let d = PyDict()
                    d.setString("score", .float(c.score))
                    d.setString("subscores", .object(PyList(c.subscores.map(Convert.python))))
                    d.setString("seed", .int(c.seed))
                    d.setString("program", object(c.program))
                    return .object(d)
                }
                if case .object(let o as PyInstance) = best { o.dict.setString("candidate_programs", .object(PyList(candidates))) }
                return best
            }
        }
    }
}

extension OptimizeBinding {
    static let coproOptions = ["prompt_model", "metric", "breadth", "depth", "init_temperature", "track_stats"]

    static func installCOPRO(_ t: PyType) {
        t.doc =
            "Instruction search: dspy.COPRO(metric=..., breadth=10, depth=3, prompt_model=None).compile(program, trainset=train, eval_kwargs={...})."
        t.native.construct = { ctx, cls, a in
            let o = PyInstance(cls: cls)
            for name in coproOptions { o.dict.setString(name, .none) }
            for (k, v) in a.keywords where coproOptions.contains(k) { o.dict.setString(k, v) }
            for (name, v) in zip(coproOptions, a.positional) { o.dict.setString(name, v) }
            let breadth = try ctx.optional(o.dict.getString("breadth")).map { try ctx.intArg($0) } ?? 10
            if breadth <= 1 { throw PyError.value(COPROError.breadth.description) }
            return .object(o)
        }
        t.method(
            "compile", "compile(student, *, trainset, eval_kwargs=None)",
            doc: "The best program found; best.candidate_programs lists every scored instruction."
        ) { ctx, me, a in
            let p = try a.bind("compile", ["student", "trainset", "eval_kwargs"], required: 1)
            guard case .object(let o as PyInstance) = me else { return .none }
            guard let metricFn = ctx.optional(o.dict.getString("metric")) else {
                throw PyError.type("COPRO needs a metric: dspy.COPRO(metric=my_metric)")
            }
            var numThreads: Int?
            var displayProgress = false
            if let kwargs = ctx.optional(p[2]) {
                guard let d = kwargs.as(PyDict.self) else { throw PyError.type("eval_kwargs must be a dict, e.g. {\"num_threads\": 8}") }
                numThreads = try ctx.optional(d.getString("num_threads")).map { try ctx.intArg($0) }
                displayProgress = try d.getString("display_progress").map { try ctx.truthy($0) } ?? false
            }
            let copro = try COPRO(
                metric: try metric(ctx, metricFn),
                promptModel: try ctx.optional(o.dict.getString("prompt_model")).map { try LMBinding.lm($0) },
                breadth: try ctx.optional(o.dict.getString("breadth")).map { try ctx.intArg($0) } ?? 10,
                depth: try ctx.optional(o.dict.getString("depth")).map { try ctx.intArg($0) } ?? 3,
                initTemperature: try ctx.optional(o.dict.getString("init_temperature")).map { try ctx.toDouble($0) } ?? 1.4,
                numThreads: numThreads, displayProgress: displayProgress)
            let studentObject = try student(p[0], "student")
            let student = studentObject.peer
            let train = try trainset(ctx, p[1])
            let pins = CopyPins()
            let outcome = try ctx.dspy { try await PythonModule.$copies.withValue(pins) { try await copro.search(student, trainset: train) } }
            return withExtendedLifetime(pins) {
                var objects: [ObjectIdentifier: PyValue] = [:]
                func object(_ m: any DSPy.Module) -> PyValue {
                    guard let id = m.objectIdentity else { return wrap(m, like: studentObject) }
                    if let known = objects[id] { return known }
                    let made = wrap(m, like: studentObject)
                    objects[id] = made
                    return made
                }
                let best = object(outcome.best)
                let candidates = outcome.candidates.map { c -> PyValue in
                    let d = PyDict()
                    d.setString("score", .float(c.score))
                    d.setString("program", object(c.program))
                    d.setString("instruction", .str(c.instruction))
                    d.setString("prefix", .str(c.prefix))
                    d.setString("depth", .int(c.depth))
                    return .object(d)
                }
                if case .object(let o as PyInstance) = best {
                    o.dict.setString("candidate_programs", .object(PyList(candidates)))
                    o.dict.setString("total_calls", .int(outcome.totalCalls))
                }
                return best
            }
        }
    }
}

extension OptimizeBinding {
    static func installSemanticF1(_ t: PyType) {
        t.doc = "An LM-judged metric: dspy.SemanticF1(threshold=0.66, decompositional=False)(example, pred) -> Prediction(score=...)."
        t.native.construct = { ctx, cls, a in
            let p = try a.bind("SemanticF1", ["threshold", "decompositional"])
            let judge = try SemanticF1(
                threshold: try p[0].map { try ctx.toDouble($0) } ?? 0.66,
                decompositional: try p[1].map { try ctx.truthy($0) } ?? false)
            let o = ModuleObject(cls: cls, peer: judge)
            let info = SignatureInfo(signature: judge.module.signature, className: "StringSignature", fromString: true)
            o.dict.setString("module", .object(ModuleBinding.chainOfThought(judge.module, info: info)))
            o.dict.setString("threshold", .float(judge.threshold))
            return .object(o)
        }
        t.method("__call__", "__call__(example, pred, trace=None)", doc: "Judge pred.response against example.response.") { ctx, me, a in
            let p = try a.bind("SemanticF1", ["example", "pred", "trace"], required: 2)
            guard let judge = try ModuleBinding.object(me).peer as? SemanticF1 else { return .none }
            let example = try ModuleBinding.example(ctx, p[0] ?? .none)
            guard let record = p[1]?.as(RecordObject.self) else { throw PyError.type("SemanticF1 needs a dspy.Prediction as pred") }
            let prediction = try record.prediction(ctx)
            let traced = ctx.optional(p[2]) != nil
            let value = try ctx.dspy { try await judge.score(example, prediction, trace: traced ? [] : nil) }
            let r = RecordObject(cls: DSPyTypes.prediction)
            r.store.setString("score", Convert.python(value))
            return .object(r)
        }
    }
}

/// The Python classes of the evaluate/optimize loop.
enum OptimizeTypes {
    static let evaluate = DSPyTypes.type("Evaluate") { OptimizeBinding.installEvaluate($0) }
    static let evaluationResult = DSPyTypes.type("EvaluationResult", base: DSPyTypes.prediction) { OptimizeBinding.installEvaluationResult($0) }
    static let labeledFewShot = DSPyTypes.type("LabeledFewShot") { OptimizeBinding.installLabeledFewShot($0) }
    static let bootstrapFewShot = DSPyTypes.type("BootstrapFewShot") { OptimizeBinding.installBootstrapFewShot($0) }
    static let randomSearch = DSPyTypes.type("BootstrapFewShotWithRandomSearch") { OptimizeBinding.installRandomSearch($0) }
    static let copro = DSPyTypes.type("COPRO") { OptimizeBinding.installCOPRO($0) }
    static let semanticF1 = DSPyTypes.type("SemanticF1", base: DSPyTypes.module) { OptimizeBinding.installSemanticF1($0) }
}
