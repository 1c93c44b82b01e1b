import DSPy
import Foundation
import OrderedCollections

/// The shell's built-in names, and how values behave when called or asked for attributes.
enum Builtins {
    typealias Maker = @Sendable (ShellEngine) -> ShellValue

    static func fn(_ name: String, async isAsync: Bool = false, _ body: @escaping @Sendable (ShellEngine, ShellArguments) async throws -> ShellValue) -> Maker {
        { engine in .function(ShellFunction(name: name, isAsync: isAsync) { try await body(engine, $0) }) }
    }

    /// LM knobs that `context`, `%push` and `configure` apply to a copy of the effective LM.
    static let lmKnobs = ["temperature", "max_tokens", "top_p", "n", "stop"]

    static let names: [String: Maker] = [
        "LM": fn("LM") { engine, a in try makeLM(a, cache: engine.responseCache) },
        "configure_cache": fn("configure_cache") { engine, a in
            try a.only(["enable_memory_cache", "enable_disk_cache", "disk_cache_dir", "disk_size_limit_bytes", "memory_max_entries"], in: "configure_cache")
            do {
                try engine.responseCache.configure(
                    enableMemory: try a.bool("enable_memory_cache") ?? true, enableDisk: try a.bool("enable_disk_cache"),
                    directory: try a.string("disk_cache_dir"), diskSizeLimitBytes: try a.int("disk_size_limit_bytes"),
                    memoryMaxEntries: try a.int("memory_max_entries") ?? ResponseCache.defaultMemoryMaxEntries)
            } catch let e as ResponseCacheError {
                throw ShellError(e.message)
            }
            return .none
        },
        "configure": fn("configure") { engine, a in
            try engine.settings.configure(try settingsValues(a, engine: engine, function: "configure"))
            return .none
        },
        "context": fn("context") { engine, a in
            let values = try settingsValues(a, engine: engine, function: "context")
            return .scope(ScopeSpec(values: values, text: a.keywords.map { "\($0.key)=\($0.value.repr)" }.joined(separator: ", ")))
        },
        "Predict": fn("Predict") { _, a in try makeModule(a, name: "Predict") },
        "ChainOfThought": fn("ChainOfThought") { _, a in try makeModule(a, name: "ChainOfThought") },
        "ReAct": fn("ReAct") { _, a in
            try a.only(["tools", "max_iters"], in: "ReAct")
            let sig = try signatureArgument(a.positional.first, function: "ReAct")
            let toolValues: [ShellValue]
            switch a.keyword("tools") ?? a.positional.dropFirst().first {
            case .list(let items)?: toolValues = items
            case nil: throw ShellError("ReAct() needs tools=[...]", hint: "the built-in tools are calculate and now; tools() lists them")
            case let other?: throw ShellError("tools must be a list, not \(other.typeName)")
            }
            let tools: [Tool] = try toolValues.map { v in
                guard case .tool(let t) = v else { throw ShellError("\(v.repr) is not a tool", hint: "the built-in tools are calculate and now") }
                return t
            }
            return .module(try ReAct(sig, tools: tools, maxIters: try a.int("max_iters") ?? 20))
        },
        "tools": fn("tools") { _, _ in .list(Tool.builtins.map { .tool($0) }) },
        "calculate": { _ in .tool(Tool.calculate) },
        "now": { _ in .tool(Tool.now) },
        "Signature": fn("Signature") { _, a in
            try a.only(["instructions"], in: "Signature")
            guard case .string(let s)? = a.positional.first else { throw ShellError("Signature() needs a string like \"question -> answer\"") }
            return .signature(try Signature(s, instructions: try a.string("instructions")))
        },
        "Example": fn("Example") { _, a in
            var o = OrderedDictionary<String, Value>()
            if case .dict(let d)? = a.positional.first { for (k, v) in d { o[k] = try v.toValue() } }
            for (k, v) in a.keywords { o[k] = try v.toValue() }
            return .example(Example(o))
        },
        "Parallel": fn("Parallel") { _, a in
            try a.only(["num_threads", "max_errors", "return_failed_examples", "provide_traceback", "disable_progress_bar", "timeout", "straggler_limit", "access_examples"], in: "Parallel")
            return .parallel(Parallel(numThreads: try a.int("num_threads"), maxErrors: try a.int("max_errors"),
                                      returnFailedExamples: try a.bool("return_failed_examples") ?? false,
                                      provideTraceback: try a.bool("provide_traceback"),
                                      disableProgressBar: try a.bool("disable_progress_bar") ?? false,
                                      timeout: try a.seconds("timeout", default: 120),
                                      stragglerLimit: try a.int("straggler_limit") ?? 3))
        },
        "asyncify": fn("asyncify") { engine, a in
            guard let target = a.positional.first else { throw ShellError("asyncify() needs a callable, e.g. asyncify(qa)") }
            let inner = try callable(target, engine: engine)
            return .function(ShellFunction(name: "asyncify(\(inner.name))", isAsync: true) { args in
                // The program runs on the blocking worker pool (bounded by async_max_workers) in the
                // caller's scope, as DSPy's asyncify does.
                let run = asyncify { () throws -> ShellValue in try runBlocking { try await inner.call(args) } }
                return try await run()
            })
        },
        "gather": fn("gather", async: true) { engine, a in
            var out: [ShellValue] = []
            for v in a.positional {
                if case .job(let j) = v { out.append(try await engine.wait(j)) } else { out.append(v) }
            }
            return .list(out)
        },
        "inspect_history": fn("inspect_history") { engine, a in
            try a.only(["n"], in: "inspect_history")
            engine.output.write(inspectHistory(n: try a.count("n", default: 1), color: engine.color))
            return .none
        },
        "load_jsonl": fn("load_jsonl") { _, a in try loadJSONL(a) },
        "print": fn("print") { engine, a in
            let sep = try a.string("sep") ?? " ", end = try a.string("end") ?? "\n"
            engine.output.write(a.positional.map(\.str).joined(separator: sep) + end)
            return .none
        },
        "env": fn("env") { _, a in
            guard case .string(let name)? = a.positional.first else { throw ShellError("env() needs a variable name, e.g. env(\"OPENAI_API_KEY\")") }
            guard let v = ProcessInfo.processInfo.environment[name] else {
                if case .some(let d) = a.positional.dropFirst().first { return d }
                throw ShellError("environment variable \(name) is not set", hint: "export \(name)=... before starting dspy-repl, or give a default: env(\"\(name)\", \"value\")")
            }
            return .string(v)
        },
        "ChatAdapter": fn("ChatAdapter") { _, a in
            try a.only(["use_json_adapter_fallback"], in: "ChatAdapter")
            return .adapter(ChatAdapter(useJSONAdapterFallback: try a.bool("use_json_adapter_fallback") ?? true))
        },
        "JSONAdapter": fn("JSONAdapter") { _, _ in .adapter(JSONAdapter()) },
        "len": fn("len") { _, a in
            switch a.positional.first {
            case .list(let x)?, .tuple(let x)?: return .int(x.count)
            case .dict(let d)?: return .int(d.count)
            case .string(let s)?: return .int(s.count)
            case let v?: throw ShellError("object of type \(v.typeName) has no len()")
            case nil: throw ShellError("len() takes one argument")
            }
        },
        "str": fn("str") { _, a in .string(a.positional.first?.str ?? "") },
        "int": fn("int") { _, a in
            switch a.positional.first {
            case .int(let i)?: return .int(i)
            case .float(let d)?: return .int(Int(d))
            case .string(let s)?: if let i = Int(s.trimmingCharacters()) { return .int(i) }; throw ShellError("invalid literal for int(): \(Value.string(s).pythonRepr)")
            case .bool(let b)?: return .int(b ? 1 : 0)
            default: throw ShellError("int() needs a number or a string")
            }
        },
        "float": fn("float") { _, a in
            switch a.positional.first {
            case .int(let i)?: return .float(Double(i))
            case .float(let d)?: return .float(d)
            case .string(let s)?: if let d = Double(s.trimmingCharacters()) { return .float(d) }; throw ShellError("could not convert string to float: \(Value.string(s).pythonRepr)")
            default: throw ShellError("float() needs a number or a string")
            }
        },
        "settings": { _ in .settingsView },
        "dspy": { _ in .namespace("dspy") },
    ]

    // MARK: Constructors

    static func makeLM(_ a: ShellArguments, cache: ResponseCache) throws -> ShellValue {
        try a.only(["model", "temperature", "max_tokens", "api_base", "api_key", "num_retries", "cache", "timeout",
                    "top_p", "stop", "n", "max_concurrent_requests", "requests_per_second", "model_type"], in: "LM")
        let model: String
        if case .string(let m)? = a.positional.first { model = m } else if let m = try a.string("model") { model = m } else {
            throw ShellError("LM() needs a model, e.g. LM(\"openai/gpt-4o-mini\") or LM(\"dummy\")")
        }
        var params = OrderedDictionary<String, Value>()
        for k in ["top_p", "stop", "n"] { if let v = a.keyword(k), !v.isNone { params[k] = try v.toValue() } }
        let limit = RateLimit(maxConcurrentRequests: try a.int("max_concurrent_requests"), requestsPerSecond: try a.double("requests_per_second"))
        return .lm(try LM(model, temperature: try a.double("temperature"), maxTokens: try a.int("max_tokens"),
                          apiBase: try a.string("api_base"), apiKey: try a.string("api_key"), numRetries: try a.int("num_retries") ?? 3,
                          cache: try a.bool("cache"), timeout: try a.seconds("timeout", default: 600),
                          rateLimit: limit, parameters: params, responseCache: cache))
    }

    static func signatureArgument(_ v: ShellValue?, function: String) throws -> Signature {
        switch v {
        case .string(let s)?: return try Signature(s)
        case .signature(let s)?: return s
        default: throw ShellError("\(function)() needs a signature such as \"question -> answer\"")
        }
    }

    static func makeModule(_ a: ShellArguments, name: String) throws -> ShellValue {
        try a.only(["n", "temperature", "lm", "instructions", "max_tokens"], in: name)
        var sig = try signatureArgument(a.positional.first, function: name)
        if let i = try a.string("instructions") { sig = sig.withInstructions(i) }
        var lm: LM?
        if let v = a.keyword("lm"), !v.isNone {
            guard case .lm(let l) = v else { throw ShellError("lm must be an LM, not \(v.typeName)") }
            lm = l
        }
        var config = OrderedDictionary<String, Value>()
        if let m = try a.int("max_tokens") { config["max_tokens"] = .int(m) }
        let n = try a.int("n"), t = try a.double("temperature")
        switch name {
        case "ChainOfThought": return .module(try ChainOfThought(sig, lm: lm, n: n, temperature: t, config: config))
        default: return .module(Predict(sig, lm: lm, n: n, temperature: t, config: config))
        }
    }

    /// Keyword arguments as settings values; LM knobs become a copy of the effective LM.
    static func settingsValues(_ a: ShellArguments, engine: ShellEngine, function: String) throws -> [String: any Sendable] {
        guard a.positional.isEmpty else { throw ShellError("\(function)() takes keyword arguments only, e.g. \(function)(lm=LM(\"dummy\"))") }
        var values: [String: any Sendable] = [:]
        var knobs = OrderedDictionary<String, Value>()
        for (k, v) in a.keywords {
            if lmKnobs.contains(k) { knobs[k] = try v.toValue(); continue }
            if k == "callbacks" { throw ShellError("callbacks cannot be set from the shell") }
            values[k] = try v.toSetting(key: k)
        }
        // A scope's budget is made once, here, so every statement run in the scope charges it.
        if function == "context", let limit = values["max_tokens_budget"] as? Int {
            values["max_tokens_budget"] = TokenBudget(limit: limit, parent: engine.settings.tokenBudget)
        }
        if !knobs.isEmpty {
            guard let base = (values["lm"] as? LM) ?? engine.settings.lm else {
                throw ShellError("\(knobs.keys.joined(separator: ", ")) applies to an LM, and none is configured", hint: "pass lm=LM(...) too, or configure(lm=LM(...)) first")
            }
            var params = knobs
            let t = params.removeValue(forKey: "temperature")?.doubleValue
            let m = params.removeValue(forKey: "max_tokens")?.intValue
            values["lm"] = base.copy(temperature: t, maxTokens: m, parameters: params)
        }
        return values
    }

    static func loadJSONL(_ a: ShellArguments) throws -> ShellValue {
        try a.only(["inputs"], in: "load_jsonl")
        guard case .string(let path)? = a.positional.first else { throw ShellError("load_jsonl() needs a file path") }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ShellError("cannot read \(path): \(error.localizedDescription)")
        }
        var inputKeys: [String]?
        if case .list(let keys)? = a.keyword("inputs") { inputKeys = keys.map(\.str) }
        var out: [ShellValue] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !String(line).trimmingCharacters().isEmpty {
            guard case .object(let o)? = try? JSON.parse(String(line)) else {
                throw ShellError("\(path):\(n + 1): each line must be a JSON object")
            }
            out.append(.example(Example(o, inputKeys: inputKeys)))
        }
        return .list(out)
    }

    // MARK: Calling

    /// The function behind a callable value (functions, modules, LMs, Parallel, bound methods).
    static func callable(_ v: ShellValue, engine: ShellEngine) throws -> ShellFunction {
        switch v {
        case .function(let f): return f
        case .module(let m):
            return ShellFunction(name: m.description, isAsync: false) { a in .prediction(try await callModule(m, a)) }
        case .lm(let lm):
            return ShellFunction(name: lm.description, isAsync: false) { a in
                let messages: [Message]
                if case .string(let prompt)? = a.positional.first {
                    messages = [.user(prompt)]
                } else if case .list(let items)? = a.keyword("messages") {
                    messages = try items.map { item in
                        guard case .dict(let d) = item, case .string(let role)? = d["role"], case .string(let content)? = d["content"],
                              let r = Message.Role(rawValue: role) else { throw ShellError("messages must be dicts like {\"role\": \"user\", \"content\": \"...\"}") }
                        return Message(r, content)
                    }
                } else {
                    throw ShellError("call an LM with a prompt string or messages=[...]")
                }
                var params = OrderedDictionary<String, Value>()
                for (k, x) in a.keywords where k != "messages" { params[k] = try x.toValue() }
                return .list(try await lm(messages: messages, params).map { .string($0) })
            }
        case .tool(let t):
            return ShellFunction(name: t.name, isAsync: false) { a in
                var args = Inputs()
                for (k, x) in a.keywords { args[k] = try x.toValue() }
                if let first = a.positional.first, let name = t.args.keys.first, args[name] == nil { args[name] = try first.toValue() }
                return ShellValue(try await t.acall(args))
            }
        case .parallel(let p):
            return ShellFunction(name: "Parallel", isAsync: false) { a in
                guard case .list(let pairs)? = a.positional.first else { throw ShellError("Parallel(...) takes a list of (module, inputs) pairs") }
                let results = try await p(try pairs.map(parallelJob))
                return batchValue(results.items.map { item in item.map(outputValue) }, returnFailed: p.returnFailedExamples)
            }
        case .namespace, .settingsView, .none, .bool, .int, .float, .string, .list, .tuple, .dict, .prediction, .example,
             .signature, .adapter, .failure, .job, .scope, .opaque:
            throw ShellError("'\(v.typeName)' object is not callable")
        }
    }

    static func outputValue(_ o: ParallelOutput) -> ShellValue {
        switch o {
        case .prediction(let p): return .prediction(p)
        case .results(let r): return batchValue(r.items.map { $0.map(outputValue) }, returnFailed: false)
        }
    }

    static func parallelJob(_ v: ShellValue) throws -> ParallelJob {
        guard case .tuple(let pair) = v, pair.count == 2 else {
            throw ShellError("each Parallel item must be a (module, inputs) pair, not \(v.typeName)")
        }
        switch (pair[0], pair[1]) {
        case (.module(let m), .dict):
            guard case .object(let o) = try pair[1].toValue() else { throw ShellError("inputs must be a dict") }
            return .call(m, o)
        case (.module(let m), .example(let e)):
            return e.inputKeys == nil ? .call(m, e.values) : .example(m, e)
        case (.parallel(let p), .list(let inner)):
            return .nested(p, try inner.map(parallelJob))
        default:
            throw ShellError("Invalid example type: \(pair[1].typeName), only supported types are Example, dict, and a list for a nested Parallel")
        }
    }

    static func batchValue(_ items: [ItemResult<ShellValue>], returnFailed: Bool) -> ShellValue {
        let list = ShellValue.list(items.map { item in
            switch item {
            case .success(let v): return v
            case .failure(let f): return .failure(f)
            }
        })
        guard returnFailed else { return list }
        let failures = items.compactMap(\.failure)
        return .tuple([list, .list(failures.map { ShellValue($0.input) }), .list(failures.map { .string(String(describing: $0.error)) })])
    }

    static func moduleInputs(_ m: Module, _ a: ShellArguments) throws -> Inputs {
        var inputs = Inputs()
        if !a.positional.isEmpty {
            throw ModuleError.positionalArguments(inputNames: signature(of: m)?.inputFields.map(\.name) ?? [])
        }
        for (k, v) in a.keywords { inputs[k] = try v.toValue() }
        return inputs
    }

    static func callModule(_ m: Module, _ a: ShellArguments) async throws -> Prediction {
        try await m.call(try moduleInputs(m, a))
    }

    /// The one predictor whose `lm` and `demos` a module exposes (Predict, or ChainOfThought's).
    static func singlePredictor(of m: Module) -> Predict? { (m as? Predict) ?? (m as? ChainOfThought)?.predict }

    static func signature(of m: Module) -> Signature? {
        if let p = m as? Predict { return p.signature }
        if let c = m as? ChainOfThought { return c.signature }
        if let r = m as? ReAct { return r.signature }
        return m.namedPredictors.first?.predictor.signature
    }

    // MARK: Attributes

    static func attribute(_ v: ShellValue, _ name: String, engine: ShellEngine) throws -> ShellValue {
        switch v {
        case .prediction(let p):
            if let x = p[name] { return ShellValue(x) }
            switch name {
            case "completions": return .list(p.completions.map { .prediction($0) })
            case "get_lm_usage":
                return method(name) { _ in
                    guard let usage = p.lmUsage else { return .none }
                    var d = OrderedDictionary<String, ShellValue>()
                    for (model, u) in usage.sorted(by: { $0.key < $1.key }) { d[model] = ShellValue(u.value) }
                    return .dict(d)
                }
            case "keys": return method(name) { _ in .list(p.keys.map { .string($0) }) }
            default: throw ShellError("the prediction has no field '\(name)'", hint: "fields: " + p.keys.joined(separator: ", "))
            }
        case .example(let e):
            if let x = e[name] { return ShellValue(x) }
            switch name {
            case "with_inputs": return method(name) { a in .example(e.withInputs(a.positional.map(\.str))) }
            case "inputs": return method(name) { _ in .example(try e.inputs()) }
            case "labels": return method(name) { _ in .example(try e.labels()) }
            default: throw ShellError("the example has no field '\(name)'", hint: "fields: " + e.keys.joined(separator: ", "))
            }
        case .list(let items) where !items.isEmpty && items.allSatisfy({ if case .prediction = $0 { return true }; return false }):
            // `pred.completions.answer`: the field across completions.
            return .list(try items.map { try attribute($0, name, engine: engine) })
        case .module(let m): return try moduleAttribute(m, name, engine: engine)
        case .lm(let lm): return try lmAttribute(lm, name, engine: engine)
        case .job(let j):
            switch name {
            case "id": return .int(j.id)
            case "done": return .bool(!j.isRunning)
            case "result": return .function(ShellFunction(name: "result", isAsync: false) { _ in try await engine.wait(j) })
            case "cancel": return method(name) { _ in j.task.cancel(); return .none }
            default: throw ShellError("a job has no attribute '\(name)'", hint: "use await t, t.done, t.cancel()")
            }
        case .signature(let s):
            switch name {
            case "instructions": return .string(s.instructions)
            case "input_fields": return .list(s.inputFields.map { .string($0.name) })
            case "output_fields": return .list(s.outputFields.map { .string($0.name) })
            default: throw ShellError("a signature has no attribute '\(name)'")
            }
        case .failure(let f):
            switch name {
            case "index": return .int(f.index)
            case "input": return ShellValue(f.input)
            case "error": return .string(String(describing: f.error))
            default: throw ShellError("a failure has index, input and error")
            }
        case .settingsView:
            guard engine.settings.contains(name) else {
                throw ShellError("settings has no key '\(name)'", hint: closestName(name, in: Settings.defaultKeys).map { "did you mean '\($0)'?" })
            }
            return ShellValue.fromSetting(engine.settings.value(name))
        case .namespace:
            if let b = names[name] { return b(engine) }
            if name == "settings" { return .settingsView }
            throw ShellError("dspy has no attribute '\(name)' in this shell", hint: closestName(name, in: Array(names.keys)).map { "did you mean dspy.\($0)?" })
        default:
            throw ShellError("'\(v.typeName)' object has no attribute '\(name)'")
        }
    }

    static func method(_ name: String, _ body: @escaping @Sendable (ShellArguments) async throws -> ShellValue) -> ShellValue {
        .function(ShellFunction(name: name, isAsync: false, call: body))
    }

    static let moduleAttributes = ["acall", "batch", "history", "inspect_history", "lm", "demos", "signature", "set_lm", "named_predictors", "predict"]

    static func moduleAttribute(_ m: Module, _ name: String, engine: ShellEngine) throws -> ShellValue {
        switch name {
        case "acall": return .function(ShellFunction(name: "acall", isAsync: true) { a in .prediction(try await callModule(m, a)) })
        case "call", "forward": return method(name) { a in .prediction(try await callModule(m, a)) }
        case "batch":
            return method(name) { a in
                try a.only(["num_threads", "max_errors", "return_failed_examples", "provide_traceback", "disable_progress_bar", "timeout", "straggler_limit"], in: "batch")
                guard case .list(let items)? = a.positional.first else { throw ShellError("batch() takes a list of dicts or Examples") }
                let fields = signature(of: m)?.inputFields.map(\.name)
                let inputs: [Inputs] = try items.map { item in
                    switch item {
                    case .dict:
                        guard case .object(let o) = try item.toValue() else { return [:] }
                        return o
                    case .example(let e):
                        if e.inputKeys != nil { return try e.inputs().values }
                        // No inputs marked: use the keys the module's signature takes.
                        return fields.map { f in e.values.filter { f.contains($0.key) } } ?? e.values
                    default: throw ShellError("batch() items must be dicts or Examples, not \(item.typeName)")
                    }
                }
                let results = try await m.batch(inputs, numThreads: try a.int("num_threads"), maxErrors: try a.int("max_errors"),
                                                 provideTraceback: try a.bool("provide_traceback"),
                                                 disableProgressBar: try a.bool("disable_progress_bar") ?? false,
                                                 timeout: try a.seconds("timeout", default: 120),
                                                 stragglerLimit: try a.int("straggler_limit") ?? 3)
                return batchValue(results.items.map { $0.map { ShellValue.prediction($0) } }, returnFailed: try a.bool("return_failed_examples") ?? false)
            }
        case "history": return .list(m.history.map(historyValue))
        case "inspect_history":
            return method(name) { a in
                engine.output.write(m.inspectHistory(n: try a.count("n", default: 1), color: engine.color))
                return .none
            }
        case "lm":
            guard let p = singlePredictor(of: m) else { throw ShellError("\(m.description) has no single lm; use set_lm(...)") }
            return p.lm.map { .lm($0) } ?? .none
        case "demos":
            guard let p = singlePredictor(of: m) else { throw ShellError("\(m.description) has no demos") }
            return .list(p.demos.map { .example($0) })
        case "signature":
            guard let s = signature(of: m) else { throw ShellError("\(m.description) has no signature") }
            return .signature(s)
        case "predict":
            guard let c = m as? ChainOfThought else { throw ShellError("only ChainOfThought has .predict") }
            return .module(c.predict)
        case "set_lm":
            return method(name) { a in
                switch a.positional.first {
                case .lm(let lm)?: m.setLM(lm)
                case .none?: m.setLM(nil)
                default: throw ShellError("set_lm() takes an LM or None")
                }
                return .none
            }
        case "named_predictors":
            return method(name) { _ in .list(m.namedPredictors.map { .tuple([.string($0.name), .module($0.predictor)]) }) }
        default:
            throw ShellError("'\(String(describing: type(of: m)))' object has no attribute '\(name)'",
                             hint: closestName(name, in: moduleAttributes).map { "did you mean '\($0)'?" } ?? "try: " + moduleAttributes.joined(separator: ", "))
        }
    }

    static func historyValue(_ e: HistoryEntry) -> ShellValue {
        var d = OrderedDictionary<String, ShellValue>()
        d["model"] = .string(e.model)
        d["messages"] = .list(e.messages.map { .dict(["role": .string($0.role.rawValue), "content": .string($0.content)]) })
        d["outputs"] = .list(e.outputs.map { .string($0) })
        d["usage"] = e.usage.map { ShellValue($0.value) } ?? .dict([:])
        d["timestamp"] = .string(e.isoTimestamp)
        return .dict(d)
    }

    static func lmAttribute(_ lm: LM, _ name: String, engine: ShellEngine) throws -> ShellValue {
        switch name {
        case "model": return .string(lm.model)
        case "kwargs": return ShellValue(.object(lm.kwargs))
        case "history": return .list(lm.history.map(historyValue))
        case "inspect_history":
            return method(name) { a in
                engine.output.write(lm.inspectHistory(n: try a.int("n") ?? 1, color: engine.color))
                return .none
            }
        case "copy":
            return method(name) { a in
                var params = OrderedDictionary<String, Value>()
                for (k, v) in a.keywords where k != "temperature" && k != "max_tokens" { params[k] = try v.toValue() }
                return .lm(lm.copy(temperature: try a.double("temperature"), maxTokens: try a.int("max_tokens"), parameters: params))
            }
        default: throw ShellError("'LM' object has no attribute '\(name)'", hint: "try: model, kwargs, copy, history, inspect_history")
        }
    }

    static func setAttribute(_ object: ShellValue, _ name: String, _ value: ShellValue) throws {
        guard case .module(let m) = object else { throw ShellError("cannot set attributes on \(object.typeName)") }
        guard let p = singlePredictor(of: m) else { throw ShellError("cannot set '\(name)' on \(m.description)") }
        switch (name, value) {
        case ("lm", .lm(let lm)): p.lm = lm
        case ("lm", .none): p.lm = nil
        case ("demos", .list(let items)):
            p.demos = try items.map { item in
                switch item {
                case .example(let e): return e
                case .dict:
                    guard case .object(let o) = try item.toValue() else { return Example() }
                    return Example(o)
                default: throw ShellError("demos must be Examples or dicts")
                }
            }
        default: throw ShellError("cannot set '\(name)' to \(value.typeName) (settable: lm, demos)")
        }
    }
}

extension ItemResult {
    func map<T: Sendable>(_ f: (Output) -> T) -> ItemResult<T> {
        switch self {
        case .success(let o): return .success(f(o))
        case .failure(let e): return .failure(e)
        }
    }
}
