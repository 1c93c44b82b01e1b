import DSPy
import Foundation
import OrderedCollections
import PythonInterpreter

/// The `dspy` module of the shell, and the shell's own builtins. DSPy's names are importable
/// (`import dspy`, `from dspy import Predict`) and, as in the shell before, available bare.
enum DSPyModule {
    /// One table of what the `dspy` module holds; `help`, completion and `%help` read it too.
    static func members() -> [(String, PyValue)] {
        [
            ("LM", .object(DSPyTypes.lm)),
            ("Predict", .object(DSPyTypes.predict)),
            ("ChainOfThought", .object(DSPyTypes.chainOfThought)),
            ("ReAct", .object(DSPyTypes.react)),
            ("Module", .object(DSPyTypes.module)),
            ("Signature", .object(DSPyTypes.signature)),
            (
                "InputField",
                .object(
                    PyBuiltinFunction(
                        "InputField", signature: "InputField(desc=None, **kwargs)",
                        doc: "An input field of a class signature: question: str = dspy.InputField(desc=\"...\").",
                        SignatureBinding.field(.input)))
            ),
            (
                "OutputField",
                .object(
                    PyBuiltinFunction(
                        "OutputField", signature: "OutputField(desc=None, **kwargs)",
                        doc: "An output field of a class signature: answer: str = dspy.OutputField(desc=\"...\").",
                        SignatureBinding.field(.output)))
            ),
            ("Evaluate", .object(OptimizeTypes.evaluate)),
            ("EvaluationResult", .object(OptimizeTypes.evaluationResult)),
            ("LabeledFewShot", .object(OptimizeTypes.labeledFewShot)),
            ("BootstrapFewShot", .object(OptimizeTypes.bootstrapFewShot)),
            ("BootstrapFewShotWithRandomSearch", .object(OptimizeTypes.randomSearch)),
            ("BootstrapRS", .object(OptimizeTypes.randomSearch)),
            ("COPRO", .object(OptimizeTypes.copro)),
            ("answer_exact_match", OptimizeBinding.metricValue(.answerExactMatch)),
            ("answer_passage_match", OptimizeBinding.metricValue(.answerPassageMatch)),
            ("Example", .object(DSPyTypes.example)),
            ("Prediction", .object(DSPyTypes.prediction)),
            ("Completions", .object(DSPyTypes.completions)),
            ("Tool", .object(DSPyTypes.tool)),
            ("Parallel", .object(DSPyTypes.parallel)),
            ("Adapter", .object(DSPyTypes.adapter)),
            ("ChatAdapter", .object(DSPyTypes.chatAdapter)),
            ("JSONAdapter", .object(DSPyTypes.jsonAdapter)),
            (
                "configure",
                .object(
                    PyBuiltinFunction(
                        "configure", signature: "configure(lm=None, adapter=None, track_usage=False, **kwargs)",
                        doc: "Set process-wide defaults (in the shell, from any statement or job).", SettingsBinding.configure))
            ),
            (
                "context",
                .object(
                    PyBuiltinFunction(
                        "context", signature: "context(**kwargs)",
                        doc: "A scoped override for a with block: with dspy.context(lm=..., temperature=0.9):", SettingsBinding.context))
            ),
            ("settings", .object(PyInstance(cls: DSPyTypes.settings))),
            (
                "track_usage",
                .object(
                    PyBuiltinFunction(
                        "track_usage", signature: "track_usage()",
                        doc: "with dspy.track_usage() as t: ... t.get_total_tokens() — tokens used in the block, per model.",
                        SettingsBinding.trackUsage))
            ),
            (
                "load_settings",
                .object(
                    PyBuiltinFunction(
                        "load_settings", signature: "load_settings(path)",
                        doc: "Settings saved with dspy.settings.save(path), as a dict for dspy.configure(**...).",
                        SettingsBinding.loadSettings))
            ),
            (
                "configure_cache",
                .object(
                    PyBuiltinFunction(
                        "configure_cache",
                        signature:
                            "configure_cache(enable_disk_cache=None, enable_memory_cache=True, disk_cache_dir=None, disk_size_limit_bytes=None, memory_max_entries=None)",
                        doc: "The response cache's tiers and bounds.", SettingsBinding.configureCache))
            ),
            (
                "inspect_history",
                .object(
                    PyBuiltinFunction(
                        "inspect_history", signature: "inspect_history(n=1)",
                        doc: "Print the last n LM calls with their messages.", SettingsBinding.inspectHistory))
            ),
            (
                "asyncify",
                .object(
                    PyBuiltinFunction(
                        "asyncify", signature: "asyncify(program)",
                        doc: "An async version of a program: it runs on the worker pool (async_max_workers) in the caller's scope.",
                        ParallelBinding.asyncify))
            ),
            (
                "streamify",
                .object(
                    PyBuiltinFunction(
                        "streamify", signature: "streamify(program, stream_listeners=None, include_final_prediction_in_output_stream=True)",
                        doc: "A streaming version of a program: calling it returns an async generator of chunks, status messages and the Prediction.",
                        StreamingBinding.streamify))
            ),
            (
                "disable_logging",
                .object(
                    PyBuiltinFunction(
                        "disable_logging", signature: "disable_logging()",
                        doc: "Stop showing the library's warning lines (batch failures, cache warnings)."
                    ) { _, a in
                        try a.check("disable_logging", min: 0, max: 0)
                        ShellLogHandler.isEnabled = false
                        return .none
                    })
            ),
            (
                "enable_logging",
                .object(
                    PyBuiltinFunction(
                        "enable_logging", signature: "enable_logging()",
                        doc: "Show the library's warning lines again."
                    ) { _, a in
                        try a.check("enable_logging", min: 0, max: 0)
                        ShellLogHandler.isEnabled = true
                        return .none
                    })
            ),
            ("DSPyError", .object(DSPyTypes.dspyError)),
            ("AdapterParseError", .object(DSPyTypes.adapterParseError)),
            ("LMError", .object(DSPyTypes.lmError)),
            ("ContextWindowExceededError", .object(DSPyTypes.contextWindowExceededError)),
            ("TokenBudgetExceeded", .object(DSPyTypes.tokenBudgetExceeded)),
            ("__version__", .str(DSPyVersion.string)),
        ]
    }

    static func install(into interp: Interpreter) {
        interp.registerModule("dspy") { interp in
            let m = PyModule(name: "dspy", doc: "DSPy: programming language models with signatures and modules (the Swift runtime underneath).")
            for (name, value) in members() { m.define(name, value) }
            for sub in ["streaming", "utils", "adapters", "signatures", "predict", "clients", "primitives", "evaluate", "teleprompt"] {
                if let module = try? interp.importModuleNamed("dspy.\(sub)") { m.define(sub, .object(module)) }
            }
            return m
        }
        interp.registerModule("dspy.evaluate") { _ in OptimizeBinding.evaluateModule(name: "dspy.evaluate") }
        interp.registerModule("dspy.evaluate.metrics") { _ in OptimizeBinding.evaluateModule(name: "dspy.evaluate.metrics") }
        interp.registerModule("dspy.teleprompt") { _ in
            let m = PyModule(name: "dspy.teleprompt", doc: "Optimizers (teleprompters).")
            m.define("LabeledFewShot", .object(OptimizeTypes.labeledFewShot))
            m.define("BootstrapFewShot", .object(OptimizeTypes.bootstrapFewShot))
            m.define("BootstrapFewShotWithRandomSearch", .object(OptimizeTypes.randomSearch))
            m.define("COPRO", .object(OptimizeTypes.copro))
            return m
        }
        interp.registerModule("dspy.streaming") { _ in
            let m = PyModule(name: "dspy.streaming", doc: "Streaming outputs field by field.")
            m.define("StreamListener", .object(DSPyTypes.streamListener))
            m.define("StreamResponse", .object(StreamingBinding.responseType))
            m.define("StatusMessage", .object(StreamingBinding.statusType))
            return m
        }
        interp.registerModule("dspy.utils") { interp in
            let m = PyModule(name: "dspy.utils", doc: "Helpers.")
            if let cb = try? interp.importModuleNamed("dspy.utils.callback") { m.define("callback", .object(cb)) }
            m.define("BaseCallback", .object(DSPyTypes.callback))
            return m
        }
        interp.registerModule("dspy.utils.callback") { _ in
            let m = PyModule(name: "dspy.utils.callback", doc: "Callbacks for module, LM, adapter and tool events.")
            m.define("BaseCallback", .object(DSPyTypes.callback))
            return m
        }
        interp.registerModule("dspy.utils.exceptions") { _ in
            let m = PyModule(name: "dspy.utils.exceptions")
            m.define("AdapterParseError", .object(DSPyTypes.adapterParseError))
            return m
        }
        for (sub, names) in [
            ("adapters", ["Adapter", "ChatAdapter", "JSONAdapter"]), ("signatures", ["Signature", "InputField", "OutputField"]),
            ("predict", ["Predict", "ChainOfThought", "ReAct", "Parallel"]), ("clients", ["LM"]),
            ("primitives", ["Example", "Prediction", "Module", "Tool"]),
        ] {
            interp.registerModule("dspy.\(sub)") { _ in
                let m = PyModule(name: "dspy.\(sub)")
                let all = members()
                for n in names { if let v = all.first(where: { $0.0 == n })?.1 { m.define(n, v) } }
                return m
            }
        }
        // The shell's builtins: DSPy's names bare, plus a few of its own.
        for (name, value) in members() where !name.hasPrefix("_") && !["AdapterParseError", "LMError", "ContextWindowExceededError"].contains(name) {
            interp.defineBuiltin(name, value)
        }
        for (name, value) in shellBuiltins() { interp.defineBuiltin(name, value) }
        // `dspy.Predict(...)` works before `import dspy`, as it does in a DSPy notebook's first cell.
        if let dspy = try? interp.importModuleNamed("dspy") { interp.defineBuiltin("dspy", .object(dspy)) }
    }

    /// Parts of DSPy that dspy-repl does not have yet, with what to use meanwhile.
    static let notYetAvailable: [String: String] = {
        let loop =
            "dspy-repl has dspy.Evaluate, LabeledFewShot, BootstrapFewShot, BootstrapFewShotWithRandomSearch and COPRO; this optimizer is not among them yet"
        var table: [String: String] = [:]
        for name in [
            "MIPROv2",
            "GEPA", "KNNFewShot", "BootstrapFinetune", "SIMBA", "Ensemble", "InferRules",
        ] {
            table[name] = loop + "; demos can be set by hand: predictor.demos = [dspy.Example(...), ...]"
        }
        for name in [
            "Refine", "BestOfN", "MultiChainComparison", "ProgramOfThought", "CodeAct", "Retrieve", "ColBERTv2",
            "Embedder", "Embeddings", "PythonInterpreter", "History", "Image", "Audio", "Code", "Citations", "Document",
            "KNN", "ToolCalls", "majority",
        ] {
            table[name] =
                "dspy-repl has Predict, ChainOfThought, ReAct (tools from plain functions), Module subclasses, batch/Parallel, asyncify and streamify; dspy.\(name) is not among them yet"
        }
        return table
    }()

    /// The hint for an error that names a DSPy feature the shell lacks (`dspy.Evaluate`).
    static func missingFeature(in report: ErrorReport) -> String? {
        let name: Substring?
        switch report.kind {
        case "AttributeError" where report.message.hasPrefix("module 'dspy"):
            name = report.message.split(separator: "'").dropFirst(3).first
        case "ModuleNotFoundError" where report.message.hasPrefix("No module named 'dspy."):
            name = report.message.split(separator: "'").dropFirst().first?.split(separator: ".").dropFirst().first
        case "ImportError" where report.message.contains("from 'dspy"):
            name = report.message.split(separator: "'").dropFirst().first
        default: name = nil
        }
        guard let name, let hint = notYetAvailable[String(name)] else { return nil }
        return hint
    }

    /// What the shell adds beyond DSPy: `env`, `load_jsonl`, the built-in tools, `gather`.
    static func shellBuiltins() -> [(String, PyValue)] {
        [
            (
                "env",
                .object(
                    PyBuiltinFunction(
                        "env", signature: "env(name, default=None)",
                        doc: "An environment variable (the way to keep API keys out of scripts)."
                    ) { ctx, a in
                        let p = try a.bind("env", ["name", "default"], required: 1)
                        let name = try ctx.strArg(p[0] ?? .none, "env")
                        if let v = ctx.interpreter.environment.getString(name) { return v }
                        if let d = p[1] { return d }
                        throw PyError.key(.str(name))
                            .withMessage(
                                "environment variable \(name) is not set: export \(name)=... before starting dspy-repl, or give a default: env(\"\(name)\", \"value\")"
                            )
                    })
            ),
            (
                "load_jsonl",
                .object(
                    PyBuiltinFunction(
                        "load_jsonl", signature: "load_jsonl(path, inputs=None)",
                        doc: "Examples from a JSON Lines file; inputs=[...] marks their input fields."
                    ) { ctx, a in
                        try loadExamples(ctx, a, "load_jsonl") { path, inputs, _ in try Dataset.loadJSONL(path, inputs: inputs) }
                    })
            ),
            (
                "load_csv",
                .object(
                    PyBuiltinFunction(
                        "load_csv", signature: "load_csv(path, inputs=None, fields=None)",
                        doc: "Examples from a CSV file with a header row (values are str); inputs=[...] marks their input fields."
                    ) { ctx, a in
                        try loadExamples(ctx, a, "load_csv") { path, inputs, fields in try Dataset.loadCSV(path, inputs: inputs, fields: fields) }
                    })
            ),
            ("calculate", .object(ToolObject(Tool.calculate, function: .none))),
            ("now", .object(ToolObject(Tool.now, function: .none))),
            (
                "tools",
                .object(
                    PyBuiltinFunction("tools", signature: "tools()", doc: "The built-in tools: calculate (arithmetic) and now (date and time).") {
                        _, _ in
                        .object(PyList(Tool.builtins.map { .object(ToolObject($0, function: .none)) }))
                    })
            ),
            (
                "gather",
                .object(
                    PyBuiltinFunction("gather", signature: "gather(*aws)", doc: "await gather(a.acall(...), b.acall(...)) — asyncio.gather.") {
                        ctx, a in
                        let asyncio = try ctx.interpreter.importModuleNamed("asyncio")
                        guard let g = asyncio.globals.get("gather") else { return .none }
                        return try ctx.call(g, a)
                    })
            ),
        ]
    }
}

extension DSPyModule {
    /// `load_jsonl` / `load_csv`: the library's loader, its errors as Python's file errors.
    static func loadExamples(
        _ ctx: ExecContext, _ a: Args, _ name: String,
        _ load: (String, [String]?, [String]?) throws -> [Example]
    ) throws -> PyValue {
        let p = try a.bind(name, ["path", "inputs", "fields"], required: 1)
        let path = try ctx.strArg(p[0] ?? .none, name)
        func names(_ v: PyValue?) throws -> [String]? { try ctx.optional(v).map { try ctx.iterateToArray($0).map { try ctx.str($0) } } }
        let inputs = try names(p[1]), fields = try names(p[2])
        if name == "load_jsonl", fields != nil { throw PyError.type("load_jsonl() got an unexpected keyword argument 'fields'") }
        let examples: [Example]
        do { examples = try load(path, inputs, fields) } catch let e as DatasetError {
            if e.description.hasPrefix("[Errno 2]") { throw PyError.fileNotFound(e.description) }
            throw PyError.value(e.description)
        }
        try ctx.checkStack()
        return .object(PyList(examples.map { .object(RecordObject.example($0)) }))
    }
}

extension PyError {
    /// The same exception type with another message.
    func withMessage(_ m: String) -> PyError {
        exception.args = [.str(m)]
        return self
    }
}
