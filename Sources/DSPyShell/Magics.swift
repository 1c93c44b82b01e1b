import DSPy
import Foundation
import OrderedCollections
import PythonInterpreter

/// `%` commands: scopes, jobs, files, inspection and help.
enum Magics {
    struct Info {
        let usage: String
        let summary: String
        let details: String
    }

    static let catalogue: OrderedDictionary<String, Info> = [
        "push": Info(
            usage: "%push key=value ...", summary: "open a settings scope that lasts until %pop",
            details:
                "Values are expressions without spaces outside quotes or brackets, e.g. %push lm=LM(\"dummy\") temperature=0.\ntemperature, max_tokens, top_p, n and stop apply to every LM call in the scope, whichever LM makes it. The prompt shows the depth: dspy[1]>."
        ),
        "pop": Info(usage: "%pop", summary: "close the innermost %push scope", details: "It is an error when nothing is pushed."),
        "scopes": Info(usage: "%scopes", summary: "list the pushed scopes, outermost first", details: ""),
        "settings": Info(
            usage: "%settings", summary: "show each setting's effective value and the layer that set it",
            details: "One line per key: key = value   (default | configure | scope N)."),
        "jobs": Info(
            usage: "%jobs", summary: "list background jobs and their state",
            details: "Jobs start when an async call (x.acall(...), asyncify(f)(...)) runs without await."),
        "wait": Info(usage: "%wait [id|all]", summary: "wait for a job (default: all) and print its result", details: ""),
        "cancel": Info(usage: "%cancel id", summary: "cancel a running job, down to its HTTP requests", details: ""),
        "run": Info(
            usage: "%run FILE", summary: "run a script in this session (its names and scopes stay)",
            details: "FILE is resolved against the current directory; an error stops the run."),
        "history": Info(
            usage: "%history [n]", summary: "show the last n inputs of this session (default 20)",
            details: "API keys given as api_key=... show as \"<redacted>\"."),
        "inspect": Info(usage: "%inspect [n]", summary: "show the last n LM calls with their exact messages (inspect_history)", details: ""),
        "prompt": Info(
            usage: "%prompt CALL", summary: "print the exact messages a call would send, without calling the LM",
            details: "e.g. %prompt qa(question=\"What is 2+2?\"). Uses the effective adapter and the module's demos. No tokens are spent."),
        "stream": Info(
            usage: "%stream CALL", summary: "run a module call, printing its output fields live as the LM writes them",
            details:
                "e.g. %stream qa(question=\"Why is the sky blue?\"). Each output field's text appears under its name as it arrives, then the Prediction.\nTool calls show status lines. A cached answer prints at once, without streaming. Ctrl-C stops the call and its HTTP request."
        ),
        "eval": Info(
            usage: "%eval PROGRAM DEVSET [METRIC] [threads=N] [table=N]",
            summary: "evaluate a program on a dev set: progress, table, score and failures",
            details:
                "METRIC defaults to answer_exact_match; table=N rows (default 5, 0 for none). The EvaluationResult becomes _ (its results hold (example, prediction, score)).\nCtrl-C stops the evaluation and its HTTP requests."
        ),
        "diff": Info(
            usage: "%diff PROGRAM OTHER", summary: "what an optimizer changed: instructions, field prefixes and demos per predictor",
            details: "e.g. %diff qa compiled after compiled = tp.compile(qa, trainset=train)."),
        "usage": Info(usage: "%usage", summary: "tokens this session has used, per model", details: "Cache hits count zero."),
        "cache": Info(
            usage: "%cache [clear]", summary: "response cache sizes, hits and disk file; clear empties memory and disk",
            details: "The disk tier is on by default in dspy-repl (--no-disk-cache turns it off); configure_cache(...) changes it."),
        "calls": Info(
            usage: "%calls [n] | %calls show ID | %calls clear",
            summary: "the last n LM calls from the call log (default 10), one call in full, or empty the log",
            details:
                "One line per call: id, time, model@server, tokens, duration, status and the reply's first line.\nThe log is a SQLite file kept across sessions, at most 100 000 calls (--no-call-log turns it off); API keys are never written."
        ),
        "save": Info(
            usage: "%save FILE", summary: "write this session's successful inputs as a script that replays",
            details: "Inspection commands are left out; api_key strings are written as \"<redacted>\"."),
        "time": Info(usage: "%time STATEMENT", summary: "run a statement and print how long it took", details: ""),
        "who": Info(usage: "%who", summary: "list the names defined in this session with their types", details: ""),
        "reset": Info(usage: "%reset", summary: "forget names, pop every scope and cancel jobs (settings stay)", details: ""),
        "help": Info(usage: "%help [NAME]", summary: "list commands and built-ins, or explain one", details: ""),
        "exit": Info(usage: "%exit", summary: "leave the shell (Ctrl-D does too)", details: ""),
    ]

    /// IPython commands a user may try, and what this shell has instead.
    static let ipythonInstead: [String: String] = [
        "edit": "there is no editor here: write the code in a file and %run FILE, or paste it (a pasted block stays whole)",
        "load": "%run FILE runs a file in this session",
        "paste": "paste directly: a pasted block stays whole",
        "cpaste": "paste directly: a pasted block stays whole",
        "timeit": "%time STATEMENT times one run",
        "whos": "%who lists the names with their types",
        "hist": "%history [n] shows the inputs",
        "env": "os.environ holds the environment",
        "debug": "there is no debugger here; the error's hint: lines show the call path",
        "pdb": "there is no debugger here; the error's hint: lines show the call path",
    ]

    /// What to say about an unknown `%name`: this shell's counterpart of an IPython command, a
    /// command one typo away, or the list; leaving the shell is never offered as a guess.
    static func unknownCommandHint(_ name: String) -> String {
        if let instead = ipythonInstead[name] { return instead }
        let guessable = catalogue.keys.filter { $0 != "exit" }
        return closestName(name, in: Array(guessable)).map { "did you mean %\($0)?" } ?? "%help lists the commands"
    }

    static let builtinHelp: OrderedDictionary<String, String> = [
        "LM":
            "LM(\"provider/model\", temperature=, max_tokens=, api_base=, api_key=env(\"KEY\"), num_retries=, cache=, timeout=) — openai/, anthropic/, ollama_chat/, local/, or \"dummy\" (offline)",
        "configure": "configure(lm=..., adapter=..., track_usage=True, ...) — set process-wide defaults",
        "configure_cache":
            "configure_cache(enable_disk_cache=True, disk_cache_dir=\"~/.cache/dspy-swift\", disk_size_limit_bytes=, memory_max_entries=, enable_memory_cache=True) — the response cache's tiers and bounds",
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
        "load_csv": "load_csv(\"file.csv\", inputs=[\"question\"], fields=None) — a list of Examples from a CSV with a header row",
        "Evaluate":
            "Evaluate(devset=dev, metric=answer_exact_match, num_threads=8, display_table=5)(program) — score a program; %eval does it in one line",
        "BootstrapFewShot":
            "BootstrapFewShot(metric=..., max_bootstrapped_demos=4).compile(program, trainset=train) — demos from successful runs; %diff shows what changed",
        "env": "env(\"NAME\") — an environment variable (keep API keys out of scripts)",
        "print": "print(...) — write values",
        "settings": "settings.lm, settings.num_threads, ... — effective settings",
        "ChatAdapter": "ChatAdapter(use_json_adapter_fallback=True) — DSPy's default adapter",
        "JSONAdapter": "JSONAdapter() — ask for outputs as one JSON object",
    ]

    /// Magics that only look at the session; `%save` leaves them out.
    static let inspectOnly: Set<String> = [
        "history", "inspect", "prompt", "usage", "save", "who", "help", "jobs", "scopes", "settings",
        "calls", "cache", "cancel", "diff", "exit", "quit",
    ]

    static func isInspectOnly(_ source: String) -> Bool {
        let t = source.trimmingCharacters(in: .whitespacesAndNewlines)
        guard t.hasPrefix("%"), !t.contains("\n") else { return false }
        let name = t.dropFirst().prefix { !$0.isWhitespace }
        return inspectOnly.contains(String(name))
    }

    static func run(_ text: String, engine: ShellEngine, file: String?, line: Int = 1) async throws {
        let name = String(text.prefix { !$0.isWhitespace })
        let rest = String(text.dropFirst(name.count)).trimmingCharacters(in: .whitespaces)
        switch name {
        case "push":
            try await push(rest, engine: engine)
        case "pop":
            let popped = engine.state.withLock { s -> Bool in
                guard !s.scopes.isEmpty else { return false }
                s.scopes.removeLast()
                return true
            }
            if !popped { throw ShellError("no scope to pop", hint: "%push key=value opens one") }
        case "scopes":
            let scopes = engine.state.withLock { $0.scopes }
            if scopes.isEmpty { engine.write("(no scopes pushed)\n") }
            for (i, s) in scopes.enumerated() { engine.write("\(i + 1): \(s.text)\n") }
        case "settings":
            let entries = try engine.currentScope().run { Settings.current.effective() }
            let width = entries.map(\.key.count).max() ?? 0
            var lines = ""
            for e in entries {
                let value = settingText(e, engine: engine)
                lines += e.key.padding(toLength: width, withPad: " ", startingAt: 0) + " = " + value + "   (\(e.origin))\n"
            }
            engine.write(lines)
        case "jobs":
            let jobs = engine.state.withLock { $0.jobs.values.sorted { $0.id < $1.id } }
            if jobs.isEmpty { engine.write("(no jobs)\n") }
            for j in jobs { engine.write(j.summary + "\n") }
            for run in BatchEngine.activeRuns { engine.write("    " + run + "\n") }
        case "wait":
            let targets: [Job]
            if rest.isEmpty || rest == "all" {
                targets = engine.state.withLock { $0.jobs.values.filter(\.isRunning).sorted { $0.id < $1.id } }
                if targets.isEmpty { engine.write("(no running jobs)\n") }
            } else {
                targets = [try engine.job(try jobID(rest))]
            }
            for j in targets {
                let failure = await engine.onPython { ctx in
                    do {
                        let v = try JobBinding.wait(ctx, j)
                        engine.write("[\(j.id)] " + (v.isNone ? "None" : try ctx.repr(v)) + "\n")
                    } catch let e as PyError where e.isInstance(of: Builtins.cancelledErrorType) {
                        engine.write("[\(j.id)] cancelled\n")
                    }
                }
                if let failure { throw ReportedError(report: failure) }
            }
        case "cancel":
            guard !rest.isEmpty else { throw ShellError("%cancel needs a job id", hint: "%jobs lists them") }
            let j = try engine.job(try jobID(rest))
            guard j.isRunning, !j.task.isDone else {
                engine.write("[\(j.id)] already ended (\(j.outcome)); nothing to cancel\n")
                return
            }
            _ = j.task.requestCancel()
            engine.write("[\(j.id)] cancel requested\n")
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
                engine.write(
                    String(i + 1).padding(toLength: 4, withPad: " ", startingAt: 0) + line.replacingOccurrences(of: "\n", with: "\n    ") + "\n")
            }
        case "inspect":
            engine.write(inspectHistory(n: rest.isEmpty ? 1 : try count(rest), color: engine.color))
        case "prompt":
            try await showPrompt(rest, engine: engine)
        case "stream":
            try await streamCall(rest, engine: engine)
        case "eval":
            try await evaluateCommand(rest, engine: engine)
        case "diff":
            try await diffCommand(rest, engine: engine)
        case "usage":
            let totals = engine.sessionUsage.totals
            if totals.isEmpty { engine.write("(no tokens used yet)\n") }
            for (model, u) in totals.sorted(by: { $0.key < $1.key }) {
                engine.write(
                    "\(model): prompt \(u.promptTokens), completion \(u.completionTokens), total \(u.totalTokens)"
                        + (u.cachedTokens > 0 ? ", cached \(u.cachedTokens)" : "") + "\n")
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
            engine.write("saved \(inputs.count) input\(inputs.count == 1 ? "" : "s") to \(rest)\n")
        case "time":
            guard !rest.isEmpty else { throw ShellError("%time needs a statement") }
            let clock = ContinuousClock()
            let start = clock.now
            var ok = true
            for var chunk in StatementSplitter.split(rest) where chunk.kind == .python {
                chunk.firstLine += line - 1  // errors name the line of the %time
                ok = await engine.runPython(chunk, file: file, mode: .interactive)
                if !ok { break }
            }
            engine.write(String(format: "Wall time: %.3f s\n", (clock.now - start).seconds))
            if !ok { throw ReportedError(report: nil) }
        case "who":
            let rows =
                engine.interpreter.withLock(timeout: .seconds(2)) { ctx in
                    engine.interpreter.main.globals.names.filter { !$0.hasPrefix("_") && $0 != "args" }.sorted().map { n in
                        "\(n): \(engine.interpreter.main.globals.get(n)?.typeName ?? "?")"
                    }
                } ?? []
            if rows.isEmpty { engine.write("(no names defined)\n") }
            for r in rows { engine.write(r + "\n") }
        case "reset":
            let jobs = engine.state.withLock { s -> [Job] in
                let j = Array(s.jobs.values)
                s.scopes = []
                s.jobs = [:]
                return j
            }
            for j in jobs { _ = j.task.requestCancel() }
            _ = engine.interpreter.withLock(timeout: .seconds(5)) { _ in
                engine.interpreter.main.globals.removeAll(keeping: ["__name__", "__doc__", "__builtins__", "args"])
            }
            engine.write("names, scopes and jobs cleared\n")
        case "help":
            if !rest.isEmpty, catalogue[rest.trimmingPrefix("%")] == nil {
                try await showHelp(rest, engine: engine)
            } else {
                engine.write(help(rest))
            }
        case "exit", "quit":
            engine.state.withLock { $0.exitRequested = true }
        default:
            throw ShellError("unknown command %\(name)", hint: unknownCommandHint(String(name)))
        }
    }

    /// `%push key=expr ...`: evaluates the values, opens the scope inside the current one and
    /// keeps its captured settings.
    static func push(_ rest: String, engine: ShellEngine) async throws {
        let pairs = try splitAssignments(rest)
        guard !pairs.isEmpty else { throw ShellError("%push needs key=value pairs", hint: "e.g. %push lm=LM(\"dummy\") temperature=0") }
        let box = Locked<SettingsSnapshot?>(nil)
        let failure = await engine.onPython { ctx in
            var keywords: [(name: String, value: PyValue)] = []
            for (k, exprText) in pairs {
                do {
                    keywords.append((k, try ctx.evaluate(exprText)))
                } catch let e as PythonSyntaxError {
                    throw PyError(Builtins.syntaxErrorType, "in %push \(k)=\(exprText): \(e.message)")
                }
            }
            let values = try SettingsBinding.values(ctx, keywords)
            let snapshot = try Settings.current.context(values) { Settings.current.capture() }
            box.withLock { $0 = snapshot }
        }
        if let failure { throw ReportedError(report: failure) }
        guard let snapshot = box.withLock({ $0 }) else { return }
        let text = pairs.map { "\($0.0)=\(Redaction.display($0.1, key: $0.0))" }.joined(separator: " ")
        engine.state.withLock { $0.scopes.append(PushedScope(snapshot: snapshot, text: text)) }
    }

    /// `x?` and `%help NAME`: the help of an object.
    static func showHelp(_ name: String, engine: ShellEngine) async throws {
        let target = name.trimmingCharacters(in: .whitespaces).trimmingSuffix("?").trimmingSuffix("?")
        // A settings key that is not also a name in the session: its value, layer and meaning.
        if let about = Settings.keyDescriptions[target], !engine.definedNames.contains(target) {
            let entry = try engine.currentScope().run { Settings.current.effective().first { $0.key == target } }
            let shown = entry.map { "\(settingText($0, engine: engine))   (\($0.origin))" } ?? "not set"
            engine.write("\(target) = \(shown)\n  \(about)\n")
            return
        }
        let failure = await engine.onPython { ctx in
            let v = try ctx.evaluate(target)
            let text = try Help.describe(ctx, v)
            engine.write(text.hasSuffix("\n") ? text : text + "\n")
        }
        if let failure { throw ReportedError(report: failure) }
    }

    /// A setting's value as `%settings` and `%help KEY` show it.
    static func settingText(_ e: EffectiveSetting, engine: ShellEngine) -> String {
        switch e.value {
        case let tracker as UsageTracker:
            let total = tracker.totals.values.reduce(0) { $0 + $1.totalTokens }
            return "<UsageTracker: \(total) tokens>"
        case is NoneSetting, is Value, is Bool, is Int, is Double, is String, is LM, is any Adapter, is [any Callback],
            is [any DSPy.Module], is Trace, is TokenBudget:
            let python = Convert.python(setting: e.value)
            return engine.interpreter.withLock { ctx in (try? ctx.repr(python)) ?? String(describing: e.value) }
        default: return String(describing: e.value)
        }
    }

    static func jobID(_ s: String) throws -> Int {
        guard let id = Int(s.trimmingCharacters(in: .whitespacesAndNewlines).trimmingPrefix("[").trimmingSuffix("]")) else {
            throw ShellError("'\(s)' is not a job id", hint: "%jobs lists them")
        }
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
        let t = topic.trimmingCharacters(in: .whitespacesAndNewlines).trimmingPrefix("%")
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
            return info.usage + "\n  " + info.summary
                + (info.details.isEmpty ? "" : "\n  " + info.details.replacingOccurrences(of: "\n", with: "\n  ")) + "\n"
        }
        if let text = builtinHelp[t] { return text + "\n" }
        return "no help for '\(topic)'; %help lists commands and built-ins\n"
    }

    /// Splits `qa(question="x")` into the callee text and the argument text.
    static func splitCall(_ text: String, magic: String) throws -> (callee: String, arguments: String) {
        guard !text.isEmpty else { throw ShellError("%\(magic) needs a call", hint: "e.g. %\(magic) qa(question=\"What is 2+2?\")") }
        guard text.hasSuffix(")") else { throw ShellError("%\(magic) needs a module call like qa(question=\"...\")") }
        var depth = 0
        var quote: Character?
        var open: String.Index?
        for i in text.indices {
            let c = text[i]
            if let q = quote { if c == q { quote = nil }; continue }
            switch c {
            case "\"", "'": quote = c
            case "(", "[", "{":
                if depth == 0 && c == "(" { open = i }
                depth += 1
            case ")", "]", "}": depth -= 1
            default: break
            }
        }
        guard let open, depth == 0 else { throw ShellError("%\(magic) needs a module call like qa(question=\"...\")") }
        let args = text[text.index(after: open)..<text.index(before: text.endIndex)]
        return (String(text[..<open]), String(args))
    }

    /// The module and its inputs for `%MAGIC module(kw=...)`, evaluated on a Python thread.
    static func moduleCall(_ text: String, magic: String, modules: String, engine: ShellEngine) async throws -> (any DSPy.Module, Inputs) {
        let (callee, arguments) = try splitCall(text, magic: magic)
        let box = Locked<(any DSPy.Module, Inputs)?>(nil)
        let failure = await engine.onPython { ctx in
            let target = try ctx.evaluate(callee)
            guard let m = target.as(ModuleObject.self) else {
                throw PyError.type("%\(magic) works on modules (\(modules)), not \(target.typeName)")
            }
            let kwargs = try ctx.evaluate("dict(\(arguments))")
            guard let d = kwargs.as(PyDict.self) else { return }
            var inputs = Inputs()
            for (k, v) in d.pairs { inputs[try Convert.keyString(ctx, k.value)] = try Convert.value(ctx, v) }
            box.withLock { $0 = (m.peer, inputs) }
        }
        if let failure { throw ReportedError(report: failure) }
        guard let result = box.withLock({ $0 }) else { throw ShellError("%\(magic) needs keyword arguments, e.g. question=\"...\"") }
        return result
    }

    /// `%eval qa dev [metric] [threads=N] [table=N]`: Evaluate with a progress line and a table,
    /// then the score and one line per failure; the result becomes `_`.
    static func evaluateCommand(_ text: String, engine: ShellEngine) async throws {
        var positional: [String] = []
        var threads: Int?
        var rows = 5
        for word in text.split(whereSeparator: \.isWhitespace).map(String.init) {
            if let eq = word.firstIndex(of: "=") {
                let key = word[..<eq], value = word[word.index(after: eq)...]
                guard let n = Int(value), n >= 0 else { throw ShellError("%eval \(key)= needs a whole number, got '\(value)'") }
                switch key {
                case "threads", "num_threads": threads = max(1, n)
                case "table", "display_table": rows = n
                default: throw ShellError("%eval knows threads= and table=, not \(key)=", hint: Magics.catalogue["eval"]?.usage)
                }
            } else {
                positional.append(word)
            }
        }
        guard (2...3).contains(positional.count) else {
            throw ShellError("%eval needs a program and a dev set", hint: "e.g. %eval qa devset answer_exact_match table=10")
        }
        let metricName = positional.count == 3 ? positional[2] : "dspy.evaluate.answer_exact_match"
        let (programName, devsetName, numThreads, tableRows) = (positional[0], positional[1], threads, rows)
        let failure = await engine.onPython { ctx in
            guard let program = try ctx.evaluate(programName).as(ModuleObject.self) else {
                throw PyError.type("%eval evaluates a dspy module, not \(try ctx.evaluate(programName).typeName)")
            }
            let devset = try ctx.iterateToArray(try ctx.evaluate(devsetName))
            let metric = try OptimizeBinding.metric(ctx, try ctx.evaluate(metricName))
            let (value, result) = try OptimizeBinding.evaluateKeepingResult(
                ctx, program: program, devset: devset, metric: metric, numThreads: numThreads, displayProgress: true,
                table: tableRows > 0 ? .first(tableRows) : .none, maxErrors: nil, provideTraceback: nil, failureScore: 0)
            var lines = try ctx.repr(value) + "\n"
            for f in result.failures {
                func oneLine(_ s: String) -> String { s.split(whereSeparator: \.isNewline).joined(separator: " ") }
                let error = (f.error as? PyError).map { e in "\(e.exception.type.name): \((try? ctx.str(.object(e.exception))) ?? "")" }
                lines += "failed: item \(f.index) \(oneLine(f.input.pythonRepr)): \(oneLine(error ?? String(describing: f.error)))\n"
            }
            engine.write(lines)
            engine.interpreter.builtins.set("_", value)
        }
        if let failure { throw ReportedError(report: failure) }
    }

    /// `%diff a b`: per predictor (by name), the instructions, field prefixes and descriptions,
    /// and demos that differ between two programs.
    static func diffCommand(_ text: String, engine: ShellEngine) async throws {
        let names = text.split(whereSeparator: \.isWhitespace).map(String.init)
        guard names.count == 2 else { throw ShellError("%diff needs two programs", hint: "e.g. %diff qa compiled") }
        let color = engine.color
        let failure = await engine.onPython { ctx in
            func program(_ name: String) throws -> ModuleObject {
                let v = try ctx.evaluate(name)
                guard let m = v.as(ModuleObject.self) else { throw PyError.type("%diff compares dspy modules, not \(v.typeName)") }
                return m
            }
            let before = try ModuleBinding.namedPredictors(ctx, try program(names[0]))
            let after = try ModuleBinding.namedPredictors(ctx, try program(names[1]))
            engine.write(
                ProgramDiff.render(
                    before: before.compactMap { n, o in (o.peer as? Predict).map { (n, $0) } },
                    after: after.compactMap { n, o in (o.peer as? Predict).map { (n, $0) } },
                    names: (names[0], names[1]), color: color))
        }
        if let failure { throw ReportedError(report: failure) }
    }

    /// `%prompt qa(question=...)`: the messages the call would send, without calling the LM.
    static func showPrompt(_ text: String, engine: ShellEngine) async throws {
        let (module, inputs) = try await moduleCall(text, magic: "prompt", modules: "Predict, ChainOfThought", engine: engine)
        guard let predictor = (module as? Predict) ?? module.namedPredictors.first?.predictor else {
            throw ShellError("\(String(describing: module)) has no predictor to format")
        }
        let scope = engine.currentScope()
        let adapter = try scope.run { Settings.current.adapter } ?? ChatAdapter()
        let messages = adapter.format(signature: predictor.signature, demos: predictor.demos, inputs: inputs)
        var s = ""
        for m in messages {
            let role = m.role.rawValue.prefix(1).uppercased() + m.role.rawValue.dropFirst()
            s += (engine.color ? "\u{1B}[31m\(role) message:\u{1B}[0m" : "\(role) message:") + "\n\n" + m.content + "\n\n"
        }
        let lm = try predictor.lm ?? scope.run { Settings.current.lm }
        s += "(\(messages.count) message\(messages.count == 1 ? "" : "s") for \(lm?.description ?? "no LM configured"); nothing was sent)\n"
        engine.write(s)
    }

    /// `%stream qa(question=...)`: runs the call through `streamify`, listening to every output
    /// field that exactly one predictor produces, and prints the text as it arrives.
    static func streamCall(_ text: String, engine: ShellEngine) async throws {
        let (module, inputs) = try await moduleCall(text, magic: "stream", modules: "Predict, ChainOfThought, ReAct", engine: engine)
        let predictors = module.namedPredictors
        let fields = (ModuleBinding.signature(of: module)?.outputFields ?? []).map(\.name).filter { name in
            predictors.filter { $0.predictor.signature.outputFields.contains { $0.name == name } }.count == 1
        }
        let stream = try streamify(module, listeners: fields.map { StreamListener(fieldName: $0) })
        try await engine.withStatementToken { token in try await printStream(stream, inputs: inputs, token: token, engine: engine) }
    }

    private static func printStream(_ stream: StreamifiedProgram, inputs: Inputs, token: CancelToken, engine: ShellEngine) async throws {
        if token.isCancelled { throw CancellationError() }
        let color = engine.color
        let scope = engine.currentScope()
        let consumer = Task {
            try await scope.run {
                var open: (call: String, field: String)?
                var midLine = false
                func header(_ name: String) -> String { color ? "\u{1B}[1m\(name):\u{1B}[0m\n" : "\(name):\n" }
                func endLine() {
                    if midLine { engine.write("\n") }
                    midLine = false
                }
                defer { endLine() }
                for try await event in stream.call(inputs) {
                    switch event {
                    case .chunk(let c):
                        if open?.call != c.callID || open?.field != c.fieldName {
                            endLine()
                            engine.write(header(c.fieldName))
                            open = (c.callID, c.fieldName)
                        }
                        if !c.chunk.isEmpty {
                            engine.write(c.chunk)
                            midLine = !c.chunk.hasSuffix("\n")
                        }
                        if c.isLastChunk {
                            endLine()
                            open = nil
                        }
                    case .lmChunk(let c):
                        engine.write(c.text)
                        midLine = !c.text.hasSuffix("\n")
                    case .status(let message):
                        endLine()
                        engine.write("[\(message)]\n")
                    case .prediction(let p):
                        endLine()
                        _ = await engine.onPython { ctx in
                            let value = PyValue.object(RecordObject.prediction(p))
                            engine.write(try ctx.repr(value) + "\n")
                            engine.interpreter.builtins.set("_", value)
                        }
                    }
                }
            }
        }
        let watcher = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(30))
                if token.isCancelled {
                    consumer.cancel()
                    return
                }
            }
        }
        defer { watcher.cancel() }
        try await consumer.value
        // The stream ends quietly when the statement is cancelled (Ctrl-C): report it.
        if token.isCancelled { throw CancellationError() }
    }
}

/// A failure already described by an error report (printed by the caller).
struct ReportedError: Error {
    let report: ErrorReport?
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
            var text =
                "memory: "
                + (s.memoryEnabled
                    ? "\(s.memoryEntries) entr\(s.memoryEntries == 1 ? "y" : "ies") (max \(s.memoryMaxEntries)), \(s.memoryHits) hit\(s.memoryHits == 1 ? "" : "s")"
                    : "off") + "\n"
            if let path = s.diskPath {
                text += "disk:   \(s.diskEntries) entr\(s.diskEntries == 1 ? "y" : "ies"), \(byteCount(s.diskBytes))"
                text += (s.diskSizeLimitBytes.map { " of \(byteCount($0))" } ?? "") + ", \(s.diskHits) hit\(s.diskHits == 1 ? "" : "s")\n"
                text += "file:   \(path)\n"
            } else {
                text += "disk:   off (configure_cache(enable_disk_cache=True) turns it on)\n"
            }
            text += "misses: \(s.misses)\n"
            if let error = s.lastDiskError { text += "last disk error: \(error)\n" }
            engine.write(text)
        case "clear":
            do { try cache.clear() } catch { throw ShellError("\(error)") }
            engine.write("response cache cleared (memory" + (cache.diskPath == nil ? ")" : " and disk)") + "\n")
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
                guard words.count == 2, let id = Int64(words[1].trimmingPrefix("#")) else {
                    throw ShellError("%calls show needs a call id", hint: "%calls lists them")
                }
                guard let record = try log.record(id: id) else { throw ShellError("no call #\(id) in \(log.path)") }
                engine.write(showCall(record, color: engine.color))
                return
            }
            if words == ["clear"] {
                let n = try log.count()
                try log.clear()
                engine.write("deleted \(n) logged call\(n == 1 ? "" : "s") from \(log.path)\n")
                return
            }
            guard words.count <= 1 else { throw ShellError("%calls takes a count, 'show ID' or 'clear'") }
            let n = words.isEmpty ? 10 : try count(words[0])
            let records = try log.recent(n)
            if records.isEmpty { engine.write("(no calls logged yet in \(log.path))\n") }
            for r in records { engine.write(callLine(r) + "\n") }
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

    /// Where a call went, short: `@127.0.0.1:8080` (the host and port of its `api_base`), or
    /// nothing for in-process LMs.
    static func serverLabel(_ r: CallRecord) -> String {
        guard let server = r.server, !server.isEmpty else { return "" }
        var s = Substring(server)
        if let scheme = s.range(of: "://") { s = s[scheme.upperBound...] }
        return "@" + (s.split(separator: "/", maxSplits: 1).first.map(String.init) ?? String(s))
    }

    /// `#12  2026-11-21 21:20:03  openai/gpt-4o-mini@api.openai.com  7 tokens  0.84 s  ok  Paris`
    static func callLine(_ r: CallRecord) -> String {
        let tokens = r.usage.map { "\($0.totalTokens) tokens" } ?? "- tokens"
        let firstLine: String = {
            let text = r.errorMessage ?? r.outputs.first ?? ""
            let line =
                text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .first { !$0.isEmpty && !($0.hasPrefix("[[ ## ") && $0.hasSuffix(" ## ]]")) } ?? ""
            return line.count > 60 ? String(line.prefix(57)) + "..." : line
        }()
        return "#\(r.id)  \(localTime(r.startedAt))  \(r.model)\(serverLabel(r))  \(tokens)  " + String(format: "%.2f s", r.duration.seconds)
            + "  \(status(r))  \(firstLine)"
    }

    /// One call in full: header, parameters, tokens, every message and the reply.
    static func showCall(_ r: CallRecord, color: Bool) -> String {
        func red(_ s: String) -> String { color ? "\u{1B}[31m\(s)\u{1B}[0m" : s }
        var s = "Call #\(r.id): \(r.model), \(localTime(r.startedAt)), " + String(format: "%.2f s", r.duration.seconds) + ", \(status(r))\n"
        if let server = r.server { s += "Server: \(server)\n" }
        if !r.parameters.isEmpty { s += "Parameters: \(JSON.pythonDumps(.object(r.parameters)))\n" }
        if let u = r.usage {
            s +=
                "Tokens: prompt \(u.promptTokens), completion \(u.completionTokens), total \(u.totalTokens)"
                + (u.cachedTokens > 0 ? ", cached \(u.cachedTokens)" : "") + "\n"
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
