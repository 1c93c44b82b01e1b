import DSPy
import OrderedCollections
import PythonInterpreter

/// `dspy.LM`: the library's LM, built from DSPy's arguments; its repr shows the model and
/// knobs (never the key), which the shell chose over Python's `<LM object at 0x...>`.
enum LMBinding {
    /// Keyword arguments that configure the client rather than go into requests.
    static let clientKeywords = [
        "model", "model_type", "temperature", "max_tokens", "api_base", "base_url", "api_key",
        "num_retries", "cache", "timeout", "max_concurrent_requests", "requests_per_second",
        "max_response_bytes", "callbacks",
    ]

    static func lm(_ v: PyValue) throws -> LM {
        guard let o = v.as(LMObject.self) else { throw PyError.type("expected an LM, not \(v.typeName)") }
        return o.payload
    }

    /// The key for `model` from the session's environment (`os.environ` changes included).
    static func sessionKey(_ ctx: ExecContext, model: String) -> String? {
        LM.apiKeyVariable(forModel: model).flatMap { ctx.interpreter.environment.getString($0)?.stringValue }
    }

    static func seconds(_ ctx: ExecContext, _ v: PyValue?, _ name: String, default fallback: Double) throws -> Duration {
        guard let v = ctx.optional(v) else { return try Duration(checkedSeconds: fallback, argument: name) }
        do {
            return try Duration(checkedSeconds: try ctx.toDouble(v), argument: name)
        } catch let e as PyError {
            throw e
        } catch {
            throw PyError.value(String(describing: error))
        }
    }

    static func make(_ ctx: ExecContext, _ a: Args) throws -> LM {
        let shell = try ctx.shell
        var model: String?
        if let first = a.positional.first { model = try ctx.strArg(first, "LM", "argument 'model'") }
        if a.positional.count > 1 { throw PyError.type("LM() takes 1 positional argument (the model) but \(a.count) were given") }
        var kw: [String: PyValue] = [:]
        var parameters = OrderedDictionary<String, Value>()
        for (k, v) in a.keywords {
            if clientKeywords.contains(k) { kw[k] = v } else if !v.isNone { parameters[k] = try Convert.value(ctx, v) }
        }
        if let m = kw["model"] { model = try ctx.strArg(m, "LM", "argument 'model'") }
        guard let model else {
            throw PyError.type("LM() missing 1 required positional argument: 'model' (e.g. dspy.LM(\"openai/gpt-4o-mini\") or dspy.LM(\"dummy\"))")
        }
        func double(_ k: String) throws -> Double? { try ctx.optional(kw[k]).map { try ctx.toDouble($0) } }
        func int(_ k: String) throws -> Int? { try ctx.optional(kw[k]).map { try ctx.intArg($0) } }
        func string(_ k: String) throws -> String? { try ctx.optional(kw[k]).map { try ctx.strArg($0, "LM", "argument '\(k)'") } }
        let typedKey = try string("api_key")
        let key = typedKey ?? sessionKey(ctx, model: model)
        if key == Redaction.placeholderValue {
            let variable = LM.apiKeyVariable(forModel: model) ?? "OPENAI_API_KEY"
            let source = typedKey != nil ? "api_key is" : "\(variable) holds"
            throw PyError.value(
                "\(source) the placeholder \"<redacted>\": keys are not kept in history or saved scripts, so this line no longer has its key. Pass it from the environment: export \(variable)=... and use api_key=env(\"\(variable)\") (or leave api_key out)"
            )
        }
        let limit = RateLimit(maxConcurrentRequests: try int("max_concurrent_requests"), requestsPerSecond: try double("requests_per_second"))
        do {
            return try LM(
                model, temperature: try double("temperature"), maxTokens: try int("max_tokens"),
                apiBase: try string("api_base") ?? string("base_url"), apiKey: key, numRetries: try int("num_retries") ?? 3,
                cache: try kw["cache"].map { try ctx.truthy($0) }, timeout: try seconds(ctx, kw["timeout"], "timeout", default: 600),
                rateLimit: limit, parameters: parameters, responseCache: shell.responseCache,
                maxResponseBytes: try int("max_response_bytes") ?? LM.defaultMaxResponseBytes)
        } catch let e as PyError {
            throw e
        } catch {
            throw DSPyErrors.python(error)
        }
    }

    /// One history entry with DSPy's keys, in DSPy's order. `cost` is None: no prices are
    /// known here (DSPy gives None too when LiteLLM does not know the model's price).
    static func historyValue(_ e: HistoryEntry) -> PyValue {
        let d = PyDict()
        d.setString("prompt", .none)
        d.setString(
            "messages", .object(PyList(e.messages.map { .object(PyDict([("role", .str($0.role.rawValue)), ("content", .str($0.content))])) })))
        d.setString("kwargs", Convert.python(.object(e.kwargs)))
        d.setString("response", Convert.python(e.response.raw))
        d.setString("outputs", .object(PyList(e.outputs.map { .str($0) })))
        d.setString("usage", e.usage.map { Convert.python($0.value) } ?? .object(PyDict()))
        d.setString("cost", .none)
        d.setString("timestamp", .str(e.isoTimestamp))
        d.setString("uuid", .str(e.uuid))
        d.setString("model", .str(e.model))
        d.setString("response_model", e.response.model.map { .str($0) } ?? .str(e.model))
        d.setString("model_type", .str("chat"))
        return .object(d)
    }

    static func install(_ t: PyType) {
        t.doc = "A language model client: dspy.LM(\"openai/gpt-4o-mini\", temperature=0.2, api_key=..., api_base=...)."
        t.native.construct = { ctx, _, a in .object(LMObject.wrap(try make(ctx, a))) }
        t.property("model", doc: "The model name as given (provider/model).", get: { _, me in .str(try lm(me).model) })
        t.property("model_type", get: { _, _ in .str("chat") })
        t.property("kwargs", doc: "The request parameters this LM sends.", get: { _, me in Convert.python(.object(try lm(me).kwargs)) })
        t.property("cache", get: { _, me in .bool(try lm(me).cache) })
        t.property("num_retries", get: { _, me in .int(try lm(me).numRetries) })
        t.property(
            "history", doc: "The calls made through this LM, oldest first.",
            get: { _, me in
                .object(PyList(try lm(me).history.map(historyValue)))
            })
        t.method("inspect_history", "inspect_history(n=1)", doc: "Print the last n calls with their messages.") { ctx, me, a in
            let p = try a.bind("inspect_history", ["n"])
            let n = try p[0].map { try ctx.intArg($0) } ?? 1
            try ctx.shell.write(try lm(me).inspectHistory(n: n, color: try ctx.shell.color))
            return .none
        }
        t.method("copy", "copy(**kwargs)", doc: "A copy with changed knobs and an empty history.") { ctx, me, a in
            let base = try lm(me)
            var params = OrderedDictionary<String, Value>()
            var temperature: Double?, maxTokens: Int?, model: String?
            for (k, v) in a.keywords {
                switch k {
                case "temperature": temperature = try ctx.optional(v).map { try ctx.toDouble($0) }
                case "max_tokens": maxTokens = try ctx.optional(v).map { try ctx.intArg($0) }
                case "model": model = try ctx.strArg(v, "LM.copy", "model")
                default: params[k] = try Convert.value(ctx, v)
                }
            }
            guard let model else { return .object(LMObject.wrap(base.copy(temperature: temperature, maxTokens: maxTokens, parameters: params))) }
            do {
                return .object(LMObject.wrap(try base.copy(model: model, temperature: temperature, maxTokens: maxTokens, parameters: params)))
            } catch {
                throw DSPyErrors.python(error)
            }
        }
        t.method("__call__", "__call__(prompt=None, messages=None, **kwargs)", doc: "Call the model directly; returns the list of completions.") {
            ctx, me, a in
            let base = try lm(me)
            let (messages, params) = try request(ctx, a)
            let outputs = try ctx.dspy { try await base(messages: messages, params) }
            return .object(PyList(outputs.map { .str($0) }))
        }
        t.method("acall", "acall(prompt=None, messages=None, **kwargs)", doc: "The awaitable form of calling the LM.") { ctx, me, a in
            let base = try lm(me)
            let (messages, params) = try request(ctx, a)
            return .object(
                PyNativeAwaitable(
                    name: "LM.acall", work: { try await base(messages: messages, params) },
                    convert: { _, r in
                        guard let outputs = r as? [String] else { return .none }
                        return .object(PyList(outputs.map { .str($0) }))
                    }))
        }
        t.method("__repr__") { _, me, _ in .str(try lm(me).description) }
    }

    static func request(_ ctx: ExecContext, _ a: Args) throws -> ([Message], OrderedDictionary<String, Value>) {
        var prompt: PyValue? = a.positional.first
        var messagesValue: PyValue?
        var params = OrderedDictionary<String, Value>()
        for (k, v) in a.keywords {
            switch k {
            case "prompt": prompt = v
            case "messages": messagesValue = v
            default: params[k] = try Convert.value(ctx, v)
            }
        }
        if let m = ctx.optional(messagesValue) {
            let messages = try ctx.iterateToArray(m).map { item -> Message in
                let role = try ctx.str(try ctx.getItem(item, .str("role")))
                let content = try ctx.str(try ctx.getItem(item, .str("content")))
                guard let r = Message.Role(rawValue: role) else { throw PyError.value("unknown message role '\(role)' (system, user or assistant)") }
                return Message(r, content)
            }
            return (messages, params)
        }
        guard let p = ctx.optional(prompt) else { throw PyError.type("LM() needs a prompt or messages=[...]") }
        return ([.user(try ctx.str(p))], params)
    }
}

enum AdapterBinding {
    static func installBase(_ t: PyType) {
        t.doc = "Formats a signature and inputs as chat messages and parses the reply."
        t.method("__repr__") { _, me, _ in .str((me.as(AdapterObject.self)?.payload.name ?? "Adapter") + "()") }
        t.method("format", "format(signature, demos, inputs)", doc: "The chat messages for a call.") { ctx, me, a in
            guard let adapter = me.as(AdapterObject.self)?.payload else { return .none }
            let p = try a.bind("format", ["signature", "demos", "inputs"], required: 3)
            let sig = try SignatureBinding.signature(ctx, p[0] ?? .none)
            let demos = try ctx.iterateToArray(p[1] ?? .none).map { try ModuleBinding.example(ctx, $0) }
            let inputs = try Convert.inputs(ctx, try ctx.mappingPairs(p[2] ?? .none).map { (try Convert.keyString(ctx, $0.0.value), $0.1) })
            return .object(
                PyList(
                    adapter.format(signature: sig, demos: demos, inputs: inputs).map {
                        .object(PyDict([("role", .str($0.role.rawValue)), ("content", .str($0.content))]))
                    }))
        }
    }

    static func installChat(_ t: PyType) {
        t.native.construct = { ctx, _, a in
            let p = try a.bind("ChatAdapter", ["callbacks", "use_native_function_calling", "native_response_types", "use_json_adapter_fallback"])
            let fallback = try p[3].map { try ctx.truthy($0) } ?? true
            return .object(AdapterObject(ChatAdapter(useJSONAdapterFallback: fallback)))
        }
    }

    static func installJSON(_ t: PyType) {
        t.native.construct = { _, _, _ in .object(AdapterObject(JSONAdapter())) }
    }
}
