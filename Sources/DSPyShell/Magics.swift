import DSPy
import Foundation
import OrderedCollections

/// `%` commands: scopes, jobs, files, inspection and help.
enum Magics {
    struct Info {
        let usage: String
        let summary: String
        let details: String
    }

    static let catalogue: OrderedDictionary<String, Info> = [
        "push": Info(usage: "%push key=value ...", summary: "open a settings scope that lasts until %pop",
                     details: "Values are expressions without spaces outside quotes or brackets, e.g. %push lm=LM(\"dummy\") temperature=0.\ntemperature, max_tokens, top_p, n and stop apply to a copy of the scope's LM. The prompt shows the depth: dspy[1]>."),
        "pop": Info(usage: "%pop", summary: "close the innermost %push scope", details: "It is an error when nothing is pushed."),
        "scopes": Info(usage: "%scopes", summary: "list the pushed scopes, outermost first", details: ""),
        "settings": Info(usage: "%settings", summary: "show each setting's effective value and the layer that set it",
                         details: "One line per key: key = value   (default | configure | scope N)."),
        "jobs": Info(usage: "%jobs", summary: "list background jobs and their state", details: "Jobs start when an async call (x.acall(...), asyncify(f)(...)) runs without await."),
        "wait": Info(usage: "%wait [id|all]", summary: "wait for a job (default: all) and print its result", details: ""),
        "cancel": Info(usage: "%cancel id", summary: "cancel a running job, down to its HTTP requests", details: ""),
        "run": Info(usage: "%run FILE", summary: "run a script in this session (its names and scopes stay)", details: "FILE is resolved against the current directory; an error stops the run."),
        "history": Info(usage: "%history [n]", summary: "show the last n inputs of this session (default 20)", details: "API keys given as api_key=... show as \"<redacted>\"."),
        "inspect": Info(usage: "%inspect [n]", summary: "show the last n LM calls with their exact messages (inspect_history)", details: ""),
        "prompt": Info(usage: "%prompt CALL", summary: "print the exact messages a call would send, without calling the LM",
                       details: "e.g. %prompt qa(question=\"What is 2+2?\"). Uses the effective adapter and the module's demos. No tokens are spent."),
        "stream": Info(usage: "%stream CALL", summary: "run a module call, printing its output fields live as the LM writes them",
                       details: "e.g. %stream qa(question=\"Why is the sky blue?\"). Each output field's text appears under its name as it arrives, then the Prediction.\nTool calls show status lines. A cached answer prints at once, without streaming. Ctrl-C stops the call and its HTTP request."),
        "usage": Info(usage: "%usage", summary: "tokens this session has used, per model", details: "Cache hits count zero."),
        "cache": Info(usage: "%cache [clear]", summary: "response cache sizes, hits and disk file; clear empties memory and disk",
                      details: "The disk tier is on by default in dspy-repl (--no-disk-cache turns it off); configure_cache(...) changes it."),
        "calls": Info(usage: "%calls [n] | %calls show ID | %calls clear", summary: "the last n LM calls from the call log (default 10), one call in full, or empty the log",
                      details: "One line per call: id, time, model, tokens, duration, status and the reply's first line.\nThe log is a SQLite file kept across sessions, at most 100 000 calls (--no-call-log turns it off); API keys are never written."),
        "save": Info(usage: "%save FILE", summary: "write this session's successful inputs as a script that replays",
                     details: "Inspection commands are left out; api_key strings are written as \"<redacted>\"."),
        "time": Info(usage: "%time STATEMENT", summary: "run a statement and print how long it took", details: ""),
        "who": Info(usage: "%who", summary: "list the names defined in this session with their types", details: ""),
        "reset": Info(usage: "%reset", summary: "forget names, pop every scope and cancel jobs (settings stay)", details: ""),
        "help": Info(usage: "%help [NAME]", summary: "list commands and built-ins, or explain one", details: ""),
        "exit": Info(usage: "%exit", summary: "leave the shell (Ctrl-D does too)", details: ""),
    ]

    static let builtinHelp: OrderedDictionary<String, String> = [
        "LM": "LM(\"provider/model\", temperature=, max_tokens=, api_base=, api_key=env(\"KEY\"), num_retries=, cache=, timeout=) — openai/, anthropic/, ollama_chat/, local/, or \"dummy\" (offline)",
        "configure": "configure(lm=..., adapter=..., track_usage=True, ...) — set process-wide defaults",
        "configure_cache": "configure_cache(enable_disk_cache=True, disk_cache_dir=\"~/.cache/dspy-swift\", disk_size_limit_bytes=, memory_max_entries=, enable_memory_cache=True) — the response cache's tiers and bounds",
        "context": "with context(lm=..., temperature=0.9): — a scoped override for an indented block",
        "Predict": "Predict(\"question -> answer\", n=, temperature=) — one LM call for a signature",
        "ChainOfThought": "ChainOfThought(\"question -> answer\") — adds a reasoning field first",
        "ReAct": "ReAct(\"question -> answer\", tools=[calculate, now], max_iters=20) — an agent loop over tools",
        "tools": "tools() — the built-in tools: calculate (arithmetic) and now (date and time)",
        "Signature": "Signature(\"a, b: int -> c: list[str]\", instructions=\"...\")",
        "Example": "Example(question=\"...\", answer=\"...\").with_inputs(\"question\")",
        "Parallel": "Parallel(num_threads=4)([(qa, {\"question\": \"x\"}), ...]) — run module calls at once",
        "asyncify": "asyncify(f) — run f on the worker pool with the current scope; calling it starts a job",
        "gather": "await gather(a.acall(...), b.acall(...)) — wait for several jobs",
        "inspect_history": "inspect_history(n=1) — print the last LM calls",
        "load_jsonl": "load_jsonl(\"file.jsonl\", inputs=[\"question\"]) — a list of Examples",
        "env": "env(\"NAME\") — an environment variable (keep API keys out of scripts)",
        "print": "print(...) — write values",
        "settings": "settings.lm, settings.num_threads, ... — effective settings",
        "ChatAdapter": "ChatAdapter(use_json_adapter_fallback=True) — DSPy's default adapter",
        "JSONAdapter": "JSONAdapter() — ask for outputs as one JSON object",
    ]

    /// Magics that only look at the session; `%save` leaves them out.
    static let inspectOnly: Set<String> = ["history", "inspect", "prompt", "usage", "save", "who", "help", "jobs", "scopes", "settings", "calls"]

    static func isInspectOnly(_ source: String) -> Bool {
        let t = source.trimmingCharacters()
        guard t.hasPrefix("%"), !t.contains("\n") else { return false }
        let name = t.dropFirst().prefix { !$0.isWhitespace }
        return inspectOnly.contains(String(name))
    }

    static func run(_ text: String, engine: ShellEngine) async throws {
        let name = String(text.prefix { !$0.isWhitespace })
        let rest = String(text.dropFirst(name.count)).trimmingCharacters()
        let out = engine.output
        switch name {
        case "push":
            let pairs = try splitAssignments(rest)
            guard !pairs.isEmpty else { throw ShellError("%push needs key=value pairs", hint: "e.g. %push lm=LM(\"dummy\") temperature=0") }
            var args = ShellArguments(positional: [], keywords: [:])
            for (k, exprText) in pairs {
                let expr: Expr
                do { expr = try Parser.parseExpression(exprText) } catch let e as ShellSyntaxError {
                    throw ShellError("in %push \(k)=\(exprText): \(e.message)")
                }
                args.keywords[k] = try await engine.eval(expr)
            }
            let values = try Builtins.settingsValues(args, engine: engine, function: "context")
            engine.state.withLock { $0.scopes.append(ScopeSpec(values: values, text: pairs.map { "\($0.0)=\($0.1)" }.joined(separator: " "))) }
        case "pop":
            let popped = engine.state.withLock { s -> Bool in
                guard !s.scopes.isEmpty else { return false }
                s.scopes.removeLast()
                return true
            }
            if !popped { throw ShellError("no scope to pop", hint: "%push key=value opens one") }
        case "scopes":
            let scopes = engine.state.withLock { $0.scopes }
            if scopes.isEmpty { out.write("(no scopes pushed)\n") }
            for (i, s) in scopes.enumerated() { out.write("\(i + 1): \(s.text)\n") }
        case "settings":
            let entries = engine.settings.effective()
            let width = entries.map(\.key.count).max() ?? 0
            for e in entries {
                let value = e.key == "usage_tracker" ? "<session usage: see %usage>" : ShellValue.fromSetting(e.value).repr
                out.write(e.key.padding(toLength: width, withPad: " ", startingAt: 0) + " = " + value + "   (\(e.origin))\n")
            }
        case "jobs":
            let jobs = engine.state.withLock { $0.jobs.values.sorted { $0.id < $1.id } }
            if jobs.isEmpty { out.write("(no jobs)\n") }
            for j in jobs { out.write(j.summary + "\n") }
        case "wait":
            let targets: [Job]
            if rest.isEmpty || rest == "all" {
                targets = engine.state.withLock { $0.jobs.values.filter(\.isRunning).sorted { $0.id < $1.id } }
                if targets.isEmpty { out.write("(no running jobs)\n") }
            } else {
                targets = [try engine.job(try jobID(rest))]
            }
            for j in targets {
                do {
                    let v = try await engine.wait(j)
                    out.write("[\(j.id)] " + (v.isNone ? "None" : v.repr) + "\n")
                } catch is CancellationError where j.task.isCancelled {
                    out.write("[\(j.id)] cancelled\n")
                }
            }
        case "cancel":
            guard !rest.isEmpty else { throw ShellError("%cancel needs a job id", hint: "%jobs lists them") }
            let j = try engine.job(try jobID(rest))
            j.task.cancel()
            out.write("[\(j.id)] cancel requested\n")
        case "run":
            guard !rest.isEmpty else { throw ShellError("%run needs a file name") }
            let path = (rest as NSString).expandingTildeInPath
            let source: String
            do { source = try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw ShellError("cannot read \(path): \(error.localizedDescription)")
            }
            let ok = await engine.execute(source, file: rest, record: false)
            if !ok { throw ShellError("%run \(rest) stopped at the error above") }
        case "history":
            let n = rest.isEmpty ? 20 : try count(rest)
            let h = engine.state.withLock { $0.history }
            let start = max(0, h.count - n)
            for (i, line) in h.enumerated().dropFirst(start) {
                out.write(String(i + 1).padding(toLength: 4, withPad: " ", startingAt: 0) + line.replacingOccurrences(of: "\n", with: "\n    ") + "\n")
            }
        case "inspect":
            out.write(inspectHistory(n: rest.isEmpty ? 1 : try count(rest), color: engine.color))
        case "prompt":
            try await showPrompt(rest, engine: engine)
        case "stream":
            try await streamCall(rest, engine: engine)
        case "usage":
            let totals = engine.sessionUsage.totals
            if totals.isEmpty { out.write("(no tokens used yet)\n") }
            for (model, u) in totals.sorted(by: { $0.key < $1.key }) {
                out.write("\(model): prompt \(u.promptTokens), completion \(u.completionTokens), total \(u.totalTokens)" + (u.cachedTokens > 0 ? ", cached \(u.cachedTokens)" : "") + "\n")
            }
        case "cache":
            try cacheCommand(rest, engine: engine)
        case "calls":
            try callsCommand(rest, engine: engine)
        case "save":
            guard !rest.isEmpty else { throw ShellError("%save needs a file name") }
            let inputs = engine.state.withLock { $0.succeeded }
            // Indentation closes blocks in a script, so each input needs just its own lines.
            let text = inputs.map { $0.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) + "\n" }.joined()
            do { try Data(text.utf8).write(to: URL(fileURLWithPath: (rest as NSString).expandingTildeInPath), options: .atomic) } catch {
                throw ShellError("cannot write \(rest): \(error.localizedDescription)")
            }
            out.write("saved \(inputs.count) input\(inputs.count == 1 ? "" : "s") to \(rest)\n")
        case "time":
            guard !rest.isEmpty else { throw ShellError("%time needs a statement") }
            let statements = try Parser.parse(rest)
            let clock = ContinuousClock()
            let start = clock.now
            for s in statements { try await engine.exec(s) }
            out.write(String(format: "Wall time: %.3f s\n", (clock.now - start).seconds))
        case "who":
            let names = engine.definedNames
            if names.isEmpty { out.write("(no names defined)\n") }
            for n in names { out.write("\(n): \(engine.variable(n)?.typeName ?? "?")\n") }
        case "reset":
            let jobs = engine.state.withLock { s -> [Job] in
                let j = Array(s.jobs.values)
                s.variables = ["args": s.variables["args"] ?? .list([])]
                s.scopes = []
                s.jobs = [:]
                return j
            }
            for j in jobs { j.task.cancel() }
            out.write("names, scopes and jobs cleared\n")
        case "help":
            out.write(help(rest))
        case "exit", "quit":
            engine.state.withLock { $0.exitRequested = true }
        default:
            throw ShellError("unknown command %\(name)", hint: closestName(name, in: Array(catalogue.keys)).map { "did you mean %\($0)?" } ?? "%help lists the commands")
        }
    }

    static func jobID(_ s: String) throws -> Int {
        guard let id = Int(s.trimmingCharacters().trimmingPrefix("[").trimmingSuffix("]")) else { throw ShellError("'\(s)' is not a job id", hint: "%jobs lists them") }
        return id
    }

    static func count(_ s: String) throws -> Int {
        guard let n = Int(s), n > 0 else { throw ShellError("expected a positive number, got '\(s)'") }
        return n
    }

    /// Splits `a=1 b=LM("x y")` into pairs; spaces count only outside quotes and brackets.
    static func splitAssignments(_ text: String) throws -> [(String, String)] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        var quote: Character?
        for c in text {
            if let q = quote {
                current.append(c)
                if c == q { quote = nil }
                continue
            }
            switch c {
            case "\"", "'": quote = c; current.append(c)
            case "(", "[", "{": depth += 1; current.append(c)
            case ")", "]", "}": depth -= 1; current.append(c)
            case " " where depth == 0, "\t" where depth == 0:
                if !current.isEmpty { parts.append(current); current = "" }
            default: current.append(c)
            }
        }
        if quote != nil || depth != 0 { throw ShellError("unbalanced quotes or brackets in \(text)") }
        if !current.isEmpty { parts.append(current) }
        return try parts.map { p in
            guard let eq = p.firstIndex(of: "="), eq != p.startIndex else {
                throw ShellError("expected key=value, got '\(p)'", hint: "values with spaces go in quotes or brackets")
            }
            let key = String(p[..<eq])
            guard key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { throw ShellError("'\(key)' is not a settings key") }
            return (key, String(p[p.index(after: eq)...]))
        }
    }

    static func help(_ topic: String) -> String {
        let t = topic.trimmingCharacters().trimmingPrefix("%")
        if t.isEmpty {
            var s = "Commands:\n"
            let width = catalogue.values.map(\.usage.count).max() ?? 0
            for (_, info) in catalogue { s += "  " + info.usage.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + info.summary + "\n" }
            s += "Built-ins:\n"
            for (name, text) in builtinHelp { s += "  \(name): \(text)\n" }
            s += "Calls: qa(question=\"...\") runs now; qa.acall(...) starts a job ([1] started); await t waits.\n"
            return s
        }
        if let info = catalogue[t] {
            return info.usage + "\n  " + info.summary + (info.details.isEmpty ? "" : "\n  " + info.details.replacingOccurrences(of: "\n", with: "\n  ")) + "\n"
        }
        if let text = builtinHelp[t] { return text + "\n" }
        return "no help for '\(topic)'; %help lists commands and built-ins\n"
    }

    /// The module and keyword arguments of `%MAGIC module(kw=...)`, with errors that name the magic.
    private static func moduleCall(_ text: String, magic: String, modules: String,
                                   engine: ShellEngine) async throws -> (Module, ShellArguments) {
        guard !text.isEmpty else { throw ShellError("%\(magic) needs a call", hint: "e.g. %\(magic) qa(question=\"What is 2+2?\")") }
        let expr: Expr
        do { expr = try Parser.parseExpression(text) } catch let e as ShellSyntaxError { throw ShellError("in %\(magic): \(e.message)") }
        guard case .call(let calleeExpr, let argExprs, _) = expr else { throw ShellError("%\(magic) needs a module call like qa(question=\"...\")") }
        guard case .module(let module) = try await engine.eval(calleeExpr) else { throw ShellError("%\(magic) works on modules (\(modules))") }
        var args = ShellArguments(positional: [], keywords: [:])
        for a in argExprs {
            guard let label = a.label else { throw ShellError("use keyword arguments, e.g. question=\"...\"") }
            args.keywords[label] = try await engine.eval(a.value)
        }
        return (module, args)
    }

    /// `%prompt qa(question=...)`: the messages the call would send, without calling the LM.
    static func showPrompt(_ text: String, engine: ShellEngine) async throws {
        let (module, args) = try await moduleCall(text, magic: "prompt", modules: "Predict, ChainOfThought", engine: engine)
        guard let predictor = (module as? Predict) ?? module.namedPredictors.first?.predictor else {
            throw ShellError("\(module.description) has no predictor to format")
        }
        let inputs = try Builtins.moduleInputs(module, args)
        let adapter = engine.settings.adapter ?? ChatAdapter()
        let messages = adapter.format(signature: predictor.signature, demos: predictor.demos, inputs: inputs)
        var s = ""
        for m in messages {
            let role = m.role.rawValue.prefix(1).uppercased() + m.role.rawValue.dropFirst()
            s += (engine.color ? "\u{1B}[31m\(role) message:\u{1B}[0m" : "\(role) message:") + "\n\n" + m.content + "\n\n"
        }
        let lm = predictor.lm ?? engine.settings.lm
        s += "(\(messages.count) message\(messages.count == 1 ? "" : "s") for \(lm?.description ?? "no LM configured"); nothing was sent)\n"
        engine.output.write(s)
    }

    /// `%stream qa(question=...)`: runs the call through `streamify`, listening to every output
    /// field that exactly one predictor produces, and prints the text as it arrives.
    static func streamCall(_ text: String, engine: ShellEngine) async throws {
        let (module, args) = try await moduleCall(text, magic: "stream", modules: "Predict, ChainOfThought, ReAct", engine: engine)
        let inputs = try Builtins.moduleInputs(module, args)
        let predictors = module.namedPredictors
        let fields = (Builtins.signature(of: module)?.outputFields ?? []).map(\.name).filter { name in
            predictors.filter { $0.predictor.signature.outputFields.contains { $0.name == name } }.count == 1
        }
        let stream = try streamify(module, listeners: fields.map { StreamListener(fieldName: $0) })
        let out = engine.output
        var open: (call: String, field: String)?
        var midLine = false
        func header(_ name: String) -> String { engine.color ? "\u{1B}[1m\(name):\u{1B}[0m\n" : "\(name):\n" }
        func endLine() {
            if midLine { out.write("\n") }
            midLine = false
        }
        for try await event in stream.call(inputs) {
            switch event {
            case .chunk(let c):
                if open?.call != c.callID || open?.field != c.fieldName {
                    endLine()
                    out.write(header(c.fieldName))
                    open = (c.callID, c.fieldName)
                }
                if !c.chunk.isEmpty {
                    out.write(c.chunk)
                    midLine = !c.chunk.hasSuffix("\n")
                }
                if c.isLastChunk {
                    endLine()
                    open = nil
                }
            case .lmChunk(let c):
                out.write(c.text)
                midLine = !c.text.hasSuffix("\n")
            case .status(let message):
                endLine()
                out.write("[\(message)]\n")
            case .prediction(let p):
                endLine()
                let value = ShellValue.prediction(p)
                out.write(value.repr + "\n")
                engine.state.withLock { $0.variables["_"] = value }
            }
        }
        endLine()
        // The stream ends quietly when the statement is cancelled (Ctrl-C): report it.
        try Task.checkCancellation()
    }
}

extension String {
    func trimmingPrefix(_ p: String) -> String { hasPrefix(p) ? String(dropFirst(p.count)) : self }
    func trimmingSuffix(_ p: String) -> String { hasSuffix(p) ? String(dropLast(p.count)) : self }
}

// MARK: %cache and %calls

extension Magics {
    /// `%cache` prints both tiers' sizes and hits; `%cache clear` empties them.
    static func cacheCommand(_ rest: String, engine: ShellEngine) throws {
        let cache = engine.responseCache
        switch rest {
        case "":
            let s = cache.statistics
            var text = "memory: " + (s.memoryEnabled ? "\(s.memoryEntries) entr\(s.memoryEntries == 1 ? "y" : "ies") (max \(s.memoryMaxEntries)), \(s.memoryHits) hit\(s.memoryHits == 1 ? "" : "s")" : "off") + "\n"
            if let path = s.diskPath {
                text += "disk:   \(s.diskEntries) entr\(s.diskEntries == 1 ? "y" : "ies"), \(byteCount(s.diskBytes))"
                text += (s.diskSizeLimitBytes.map { " of \(byteCount($0))" } ?? "") + ", \(s.diskHits) hit\(s.diskHits == 1 ? "" : "s")\n"
                text += "file:   \(path)\n"
            } else {
                text += "disk:   off (configure_cache(enable_disk_cache=True) turns it on)\n"
            }
            text += "misses: \(s.misses)\n"
            if let error = s.lastDiskError { text += "last disk error: \(error)\n" }
            engine.output.write(text)
        case "clear":
            do { try cache.clear() } catch { throw ShellError("\(error)") }
            engine.output.write("response cache cleared (memory" + (cache.diskPath == nil ? ")" : " and disk)") + "\n")
        default:
            throw ShellError("%cache takes no argument or 'clear', not '\(rest)'")
        }
    }

    static func byteCount(_ n: Int) -> String {
        if n < 1000 { return "\(n) B" }
        let units = ["kB", "MB", "GB", "TB"]
        var value = Double(n) / 1000
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return String(format: "%.1f %@", value, units[unit])
    }

    /// `%calls [n]` lists the last calls; `%calls show ID` prints one in full.
    static func callsCommand(_ rest: String, engine: ShellEngine) throws {
        guard let log = engine.settings.callLog else {
            throw ShellError("the call log is off", hint: "dspy-repl keeps one unless started with --no-call-log")
        }
        let words = rest.split(separator: " ").map(String.init)
        do {
            if words.first == "show" {
                guard words.count == 2, let id = Int64(words[1].trimmingPrefix("#")) else { throw ShellError("%calls show needs a call id", hint: "%calls lists them") }
                guard let record = try log.record(id: id) else { throw ShellError("no call #\(id) in \(log.path)") }
                engine.output.write(showCall(record, color: engine.color))
                return
            }
            if words == ["clear"] {
                let n = try log.count()
                try log.clear()
                engine.output.write("deleted \(n) logged call\(n == 1 ? "" : "s") from \(log.path)\n")
                return
            }
            guard words.count <= 1 else { throw ShellError("%calls takes a count, 'show ID' or 'clear'") }
            let n = words.isEmpty ? 10 : try count(words[0])
            let records = try log.recent(n)
            if records.isEmpty { engine.output.write("(no calls logged yet in \(log.path))\n") }
            for r in records { engine.output.write(callLine(r) + "\n") }
        } catch let e as ShellError {
            throw e
        } catch {
            throw ShellError("cannot read the call log \(log.path): \(error)")
        }
    }

    /// `2026-11-21 21:20:03` in local time (a formatter per call: they are not thread-safe everywhere).
    static func localTime(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return f.string(from: date)
    }

    static func status(_ r: CallRecord) -> String {
        if let kind = r.errorKind { return "error: \(kind)" }
        return r.cacheHit ? "cached" : "ok"
    }

    /// `#12  2026-11-21 21:20:03  openai/gpt-4o-mini  7 tokens  0.84 s  ok  Paris`
    static func callLine(_ r: CallRecord) -> String {
        let tokens = r.usage.map { "\($0.totalTokens) tokens" } ?? "- tokens"
        let firstLine: String = {
            let text = r.errorMessage ?? r.outputs.first ?? ""
            let line = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .first { !$0.isEmpty && !($0.hasPrefix("[[ ## ") && $0.hasSuffix(" ## ]]")) } ?? ""
            return line.count > 60 ? String(line.prefix(57)) + "..." : line
        }()
        return "#\(r.id)  \(localTime(r.startedAt))  \(r.model)  \(tokens)  " +
            String(format: "%.2f s", r.duration.seconds) + "  \(status(r))  \(firstLine)"
    }

    /// One call in full: header, parameters, tokens, every message and the reply.
    static func showCall(_ r: CallRecord, color: Bool) -> String {
        func red(_ s: String) -> String { color ? "\u{1B}[31m\(s)\u{1B}[0m" : s }
        var s = "Call #\(r.id): \(r.model), \(localTime(r.startedAt)), " + String(format: "%.2f s", r.duration.seconds) + ", \(status(r))\n"
        if !r.parameters.isEmpty { s += "Parameters: \(JSON.pythonDumps(.object(r.parameters)))\n" }
        if let u = r.usage {
            s += "Tokens: prompt \(u.promptTokens), completion \(u.completionTokens), total \(u.totalTokens)" + (u.cachedTokens > 0 ? ", cached \(u.cachedTokens)" : "") + "\n"
        }
        if let id = r.callID { s += "Call id: \(id)\n" }
        for m in r.messages {
            let role = m.role.rawValue.prefix(1).uppercased() + m.role.rawValue.dropFirst()
            s += "\n" + red("\(role) message:") + "\n\n" + m.content + "\n"
        }
        if let message = r.errorMessage {
            s += "\n" + red("Error (\(r.errorKind ?? "unknown")):") + "\n\n" + message + "\n"
        } else {
            for (i, out) in r.outputs.enumerated() {
                s += "\n" + red(r.outputs.count == 1 ? "Response:" : "Response \(i + 1):") + "\n\n" + out + "\n"
            }
        }
        return s
    }
}
