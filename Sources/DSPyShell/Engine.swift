import DSPy
import Foundation
import OrderedCollections
import PythonInterpreter

/// Where the engine writes: the shell's stdout and stderr (tests capture them).
public protocol ShellOutput: Sendable {
    func write(_ text: String)
    func writeError(_ text: String)
}

/// Writes to the process's stdout and stderr, unbuffered.
public struct StandardOutput: ShellOutput {
    public init() {}
    public func write(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }
    public func writeError(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}

/// Re-applies a settings scope on the threads that run Python code.
struct SettingsCarrier: ScopeCarrier {
    let snapshot: SettingsSnapshot
    func run<R>(_ body: () throws -> R) throws -> R { try snapshot.apply(body) }
    func run<R: Sendable>(_ body: @Sendable () async throws -> R) async throws -> R { try await snapshot.apply(body) }
}

/// A scope pushed with `%push`: its settings captured once, so running a statement inside any
/// number of pushed scopes costs the same.
struct PushedScope: Sendable {
    let snapshot: SettingsSnapshot
    let text: String
}

/// The shell's engine: runs Python (the DSPy subset) statement by statement on the interpreter,
/// keeps the session (scopes, jobs, inputs) and renders results. It has no terminal code, so
/// tests drive it with strings.
public final class ShellEngine: Sendable {
    let output: any ShellOutput
    /// The settings this session's statements run on.
    public let settings: Settings
    let color: Bool
    /// The response cache that `LM(...)`, `configure_cache(...)` and `%cache` use.
    let responseCache: ResponseCache
    /// Tokens used by this session's LM calls, per model (`%usage`).
    let sessionUsage = UsageTracker()
    /// The Python interpreter this session runs.
    public let interpreter: Interpreter
    let callbackDispatcher: CallbackDispatcher

    struct State {
        var scopes: [PushedScope] = []
        var jobs: [Int: Job] = [:]
        var nextJobID = 1
        var history: [String] = []  // every input, secrets redacted
        var succeeded: [String] = []  // inputs that ran without error, for %save
        var running: CancelToken?
        var announcements: [(job: Int, text: String)] = []
        var exitRequested = false
        var exitCode: Int32 = 0
        var redactionNoticeShown = false
        /// The statement running now (a job started by it is named after it).
        var statement = ""
        /// The job the running statement started, if any (its value is not echoed).
        var justStarted: Int?
        /// Secret values seen in this session; output never shows them.
        var secrets: Set<String> = []
        /// Each redacted line this session ran, with the line as typed (in memory only), so a
        /// line recalled from history runs with the key that was typed.
        var typedLines: [String: String] = [:]
    }
    let state = Locked(State())

    /// - Parameters:
    ///   - settings: the session's settings; every statement and job runs with them bound as
    ///     `Settings.current` (the real shell uses the process default, tests a fresh instance).
    ///   - color: ANSI colours in `%inspect` output.
    ///   - responseCache: the cache for LMs made in the session (tests pass their own).
    public init(
        output: any ShellOutput = StandardOutput(), settings: Settings = .shared, color: Bool = false,
        responseCache: ResponseCache = .shared, options: Interpreter.Options = Interpreter.Options()
    ) {
        self.output = output
        self.settings = settings
        self.color = color
        self.responseCache = responseCache
        let interpreter = Interpreter(options: options)
        self.interpreter = interpreter
        callbackDispatcher = CallbackDispatcher(interpreter: interpreter) { output.writeError($0) }
        // The IPython exception: any session task (and background job) may call configure.
        settings.allowsConfigureFromAnyTask = true
        interpreter.embedder = self
        DSPyModule.install(into: interpreter)
        installHooks()
        interpreter.main.define("args", .object(PyList()))
        state.withLock { s in
            for (k, v) in ProcessInfo.processInfo.environment where Redaction.isSecretName(k) && v.count >= 8 { s.secrets.insert(v) }
        }
    }

    private func installHooks() {
        interpreter.hooks.writeOutput = { [weak self] s in self?.write(s) }
        interpreter.hooks.writeError = { [weak self] s in self?.writeError(s) }
        interpreter.hooks.captureScope = { SettingsCarrier(snapshot: Settings.current.capture()) }
        interpreter.hooks.taskExecutor = { IOExecutor.next() }
        interpreter.hooks.display = { [weak self] ctx, v in try self?.display(ctx, v) }
        interpreter.hooks.topLevelValue = { [weak self] ctx, v, _ in try self?.startJobIfAwaitable(ctx, v) ?? v }
        interpreter.hooks.attributeSet = { ctx, o, name, v in ModuleBinding.attributeSet(ctx, o, name, v) }
        interpreter.hooks.awaitObject = { ctx, v in
            guard let j = v.as(JobObject.self) else { return nil }
            return try JobBinding.wait(ctx, j.payload)
        }
        interpreter.hooks.taskFinished = { [weak self] ctx, task in self?.taskFinished(ctx, task) }
        interpreter.hooks.help = { ctx, v in try HelpText.describe(ctx, v) }
        interpreter.hooks.describeError = { error in
            ErrorReport(kind: "", message: String(describing: error))
        }
    }

    /// `dspy> `, `dspy[N]> ` with N scopes pushed.
    public var prompt: String {
        let depth = state.withLock { $0.scopes.count }
        return depth == 0 ? "dspy> " : "dspy[\(depth)]> "
    }

    /// The prompt for continuation lines.
    public var continuationPrompt: String { "...> " }

    /// True once `%exit`, `exit()`, `quit()` or `sys.exit()` ran.
    public var exitRequested: Bool { state.withLock { $0.exitRequested } }

    /// The status `sys.exit(n)` asked for (0 otherwise).
    public var exitCode: Int32 { state.withLock { $0.exitCode } }

    /// Messages about jobs that finished since the last call (print them before the prompt).
    public func takeAnnouncements() -> [String] {
        state.withLock { s in
            defer { s.announcements = [] }
            return s.announcements.map(\.text)
        }
    }

    /// Whether an interactive buffer needs more lines before it can run.
    public func needsMoreInput(_ buffer: String) -> Bool { StatementSplitter.needsMoreInput(buffer) }

    /// The indentation the next line of an unfinished entry starts with (auto-indent).
    public func indentation(after buffer: String) -> String { StatementSplitter.indentation(after: buffer) }

    /// Cancels the statement that is running (Ctrl-C), down to its HTTP requests.
    public func cancelRunning() {
        state.withLock { $0.running }?.cancel()
    }

    /// Binds `args` to a script's command-line arguments (and `sys.argv`).
    public func setScriptArguments(_ args: [String], script: String? = nil) {
        interpreter.main.define("args", .object(PyList(args.map { .str($0) })))
        if let sys = try? interpreter.importModuleNamed("sys") {
            sys.define("argv", .object(PyList(([script ?? ""] + args).map { .str($0) })))
        }
    }

    // MARK: Running input

    /// Runs `source`: one interactive entry, a `-c` argument, or a whole script (`file` set).
    /// Each top-level statement is parsed and run on its own, in its own task. Returns false
    /// if any statement failed; stops at the first failure unless `keepGoing`. A file named
    /// `*.py` runs as `python3 FILE` would (expression values are not shown).
    @discardableResult
    public func execute(_ source: String, file: String? = nil, keepGoing: Bool = false, echo: Bool = false, record: Bool = true) async -> Bool {
        var redacted = Redaction.redact(source)
        // A line that already holds the placeholder (recalled, replayed) hides nothing new.
        redacted.secrets.removeAll { $0 == Redaction.placeholderValue }
        if redacted.secrets.isEmpty { redacted.changed = false }
        if !redacted.secrets.isEmpty {
            state.withLock { s in
                s.secrets.formUnion(redacted.secrets.filter { $0.count >= 4 })
                let typed = source.split(separator: "\n", omittingEmptySubsequences: false)
                let shown = redacted.text.split(separator: "\n", omittingEmptySubsequences: false)
                if typed.count == shown.count {
                    for (t, r) in zip(typed, shown) where t != r { s.typedLines[String(r)] = String(t) }
                }
            }
        }
        let source = restoringTypedKeys(source)
        if record, !source.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            state.withLock { $0.history.append(redacted.text) }
            if redacted.changed, file == nil { noteRedaction() }
        }
        let mode: Interpreter.Mode = (file?.hasSuffix(".py") ?? false) ? .file : .interactive
        var allOK = true
        for chunk in StatementSplitter.split(source) {
            if echo {
                output.write(prompt + Redaction.redact(chunk.text).text.replacingOccurrences(of: "\n", with: "\n" + continuationPrompt) + "\n")
            }
            let ok: Bool
            switch chunk.kind {
            case .magic: ok = await runMagic(chunk, file: file)
            case .python: ok = await runPython(chunk, file: file, mode: mode)
            }
            // Recorded as each statement succeeds, so a %save later in the same script or
            // replay sees the statements before it.
            if ok, record, !Magics.isInspectOnly(chunk.text) {
                let text = Redaction.redact(chunk.text).text
                state.withLock { $0.succeeded.append(text) }
            }
            if state.withLock({ $0.exitRequested }) { return allOK && ok }
            if !ok {
                allOK = false
                if !keepGoing { break }
            }
        }
        return allOK
    }

    /// `source` with each line that holds the `"<redacted>"` placeholder replaced by the line
    /// this session typed, when it typed one (a line recalled from history). Other placeholders
    /// stay, and the LM refuses them before any request.
    func restoringTypedKeys(_ source: String) -> String {
        guard source.contains(Redaction.placeholder) else { return source }
        let typed = state.withLock { $0.typedLines }
        guard !typed.isEmpty else { return source }
        return source.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in typed[String(line)] ?? String(line) }.joined(separator: "\n")
    }

    /// The scope statements run in: the innermost pushed scope, or the session's settings.
    /// Every call made in it is counted in `tally` (a fresh one when not given), whose tokens
    /// add up in the session's usage (`%usage`).
    func currentScope(tally: CallTally? = nil) -> SettingsCarrier {
        let snapshot = state.withLock({ $0.scopes.last })?.snapshot ?? settings.bind { settings.capture() }
        return SettingsCarrier(snapshot: snapshot.counting(in: tally ?? CallTally(usage: sessionUsage)))
    }

    func runPython(_ chunk: StatementSplitter.Chunk, file: String?, mode: Interpreter.Mode) async -> Bool {
        let token = CancelToken()
        state.withLock {
            $0.running = token
            $0.statement = chunk.text
            $0.justStarted = nil
        }
        let tally = CallTally(usage: sessionUsage)
        let outcome = await interpreter.run(
            chunk.text, filename: file ?? "<stdin>", firstLine: chunk.firstLine, mode: mode,
            scope: currentScope(tally: tally), cancel: token)
        await callbackDispatcher.idle()
        state.withLock { $0.running = nil }
        switch outcome {
        case .completed:
            // On a terminal, an answer that came from the cache says so (dim), so a repeated
            // question is not mistaken for a fresh call.
            if color, mode == .interactive, tally.calls > 0, tally.cacheHits == tally.calls {
                write("\u{1B}[2m(cached\(tally.calls > 1 ? ": all \(tally.calls) calls" : ""))\u{1B}[0m\n")
            }
            return true
        case .failed(let r):
            if let code = r.exitCode {
                state.withLock {
                    $0.exitRequested = true
                    $0.exitCode = Int32(truncatingIfNeeded: code)
                }
                if case .str(let message)? = r.exception?.args.first { writeError(message + "\n") }
                return true
            }
            report(r, file: file)
            return false
        }
    }

    /// Runs Python code for a magic on a Python thread, in the current scope.
    func onPython(_ body: @escaping @Sendable (ExecContext) throws -> Void) async -> ErrorReport? {
        await withStatementToken { token in
            let outcome = await interpreter.onPythonThread(cancel: token, scope: currentScope(), body)
            if case .failed(let r) = outcome { return r }
            return nil
        }
    }

    /// Runs `body` with the running statement's cancel token (Ctrl-C cancels it), making one
    /// for the duration when no statement is running. Every step of a magic shares one token,
    /// so a Ctrl-C between its steps is not lost.
    func withStatementToken<R>(_ body: (CancelToken) async throws -> R) async rethrows -> R {
        let (token, isNew) = state.withLock { s -> (CancelToken, Bool) in
            if let running = s.running { return (running, false) }
            let made = CancelToken()
            s.running = made
            return (made, true)
        }
        defer { if isNew { state.withLock { $0.running = nil } } }
        return try await body(token)
    }

    // MARK: Output

    /// Writes to stdout with every known secret replaced.
    func write(_ text: String) { output.write(scrub(text)) }
    func writeError(_ text: String) { output.writeError(scrub(text)) }

    func scrub(_ text: String) -> String {
        let secrets = state.withLock { $0.secrets }
        guard !secrets.isEmpty else { return text }
        var out = text
        for s in secrets where out.contains(s) { out = out.replacingOccurrences(of: s, with: "<redacted>") }
        return out
    }

    func display(_ ctx: ExecContext, _ v: PyValue) throws {
        // A job the statement just started has said "[N] started"; a job named later shows its state.
        if let j = v.as(JobObject.self), state.withLock({ $0.justStarted == j.payload.id }) { return }
        // Bare `exit` / `quit` leave, as in IPython and Python 3.13's REPL.
        if v.isQuitter { throw PyError(PyExceptionObject(cls: Builtins.systemExitType, args: [])) }
        write(try ctx.repr(v) + "\n")
    }

    // MARK: Jobs

    /// A top-level statement's awaitable becomes a background job (`[N] started`).
    func startJobIfAwaitable(_ ctx: ExecContext, _ v: PyValue) throws -> PyValue {
        // An asyncio task made at top level (asyncio.create_task) runs already: it becomes a job as it is.
        let running = v.as(PyTask.self)
        guard running != nil || ctx.isAwaitable(v) else { return v }
        if let running, state.withLock({ s in s.jobs.values.contains { $0.task === running } }) { return v }
        let id = state.withLock { s -> Int in
            defer { s.nextJobID += 1 }
            return s.nextJobID
        }
        let text = Self.jobText(state.withLock { $0.statement })
        let task = try running ?? ctx.startTask(v, name: "job-\(id)", detached: true)
        let job = Job(id: id, text: text, task: task)
        state.withLock {
            $0.jobs[id] = job
            $0.justStarted = id
        }
        write("[\(id)] started\n")
        if task.isDone { taskFinished(ctx, task) }
        return .object(JobObject(job))
    }

    /// `t = qa.acall(...)` → `qa.acall(...)`.
    static func jobText(_ statement: String) -> String {
        let first = statement.split(separator: "\n").first.map(String.init) ?? statement
        if let eq = first.firstIndex(of: "="), first[..<eq].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == " " }),
            first[first.index(after: eq)...].first != "="
        {
            return Redaction.redact(first[first.index(after: eq)...].trimmingCharacters(in: .whitespaces)).text
        }
        return Redaction.redact(first.trimmingCharacters(in: .whitespaces)).text
    }

    func taskFinished(_ ctx: ExecContext, _ task: PyTask) {
        guard let job = state.withLock({ $0.jobs.values.first { $0.task === task } }) else { return }
        guard let outcome = task.outcome else { return }
        let status: Job.Status
        switch outcome {
        case .success(let v):
            let text = (try? ctx.repr(v)) ?? "done"
            status = .done(v.isNone ? "None" : text)
        case .failure(let e as PyError) where e.isInstance(of: Builtins.cancelledErrorType): status = .cancelled
        case .failure(is PyInterrupt): status = .cancelled
        case .failure(let e):
            status = .failed(describe(interpreter.report(e, ctx)).message)
        }
        guard job.finish(status) else { return }
        let line: String
        switch status {
        case .done(let text): line = "[\(job.id)] done: \(text)"
        case .failed(let m): line = "[\(job.id)] failed: \(m)"
        case .cancelled: line = "[\(job.id)] cancelled"
        case .running: return
        }
        let shown = scrub(line)
        state.withLock { $0.announcements.append((job.id, shown)) }
    }

    func dropAnnouncement(of id: Int) {
        state.withLock { $0.announcements.removeAll { $0.job == id } }
    }

    func job(_ id: Int) throws -> Job {
        guard let j = state.withLock({ $0.jobs[id] }) else {
            let ids = state.withLock { $0.jobs.keys.sorted() }
            throw ShellError(
                "no job [\(id)]", hint: ids.isEmpty ? "no jobs were started in this session" : "jobs: " + ids.map { "[\($0)]" }.joined(separator: " ")
            )
        }
        return j
    }

    // MARK: Errors

    struct Described {
        let message: String
        let hints: [String]
    }

    /// An error report as the shell's one line and hints: library errors in their own words
    /// (their `hint:` lines split off), Python exceptions as CPython's last traceback line.
    func describe(_ r: ErrorReport) -> Described {
        if r.isInterrupt { return Described(message: "interrupted", hints: []) }
        var hints: [String] = r.hint.map { [$0] } ?? []
        if let parse = r.exception?.swiftError as? AdapterParseError {
            let line = ErrorWording.oneLine(parse)
            return Described(message: line.message, hints: [line.hint] + hints)
        }
        // The library's explained errors come in parts: no text to take apart.
        if let explained = r.exception?.swiftError as? any DSPyError {
            return Described(message: ErrorWording.python(explained.summary), hints: explained.hints.map(ErrorWording.python) + hints)
        }
        // A ModuleError is DSPy's ValueError, worded as DSPy words it: shown as Python shows it.
        if let original = r.exception?.swiftError, !(original is ModuleError) {
            var lines = ErrorWording.python(String(describing: original)).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            var libraryHints: [String] = []
            while let last = lines.last, last.hasPrefix("hint: ") || last.isEmpty {
                if last.hasPrefix("hint: ") { libraryHints.insert(String(last.dropFirst(6)), at: 0) }
                lines.removeLast()
            }
            return Described(message: lines.joined(separator: "\n"), hints: libraryHints + hints)
        }
        if let missing = DSPyModule.missingFeature(in: r) { hints.append(missing) }
        if r.traceback.count > 1 {
            let calls = r.traceback.reversed().map { "\($0.function) (line \($0.position.line))" }
            hints.append("traceback: " + calls.joined(separator: " → "))
        }
        for c in r.causes { hints.append("caused by \(c)") }
        return Described(message: r.description, hints: hints)
    }

    func report(_ r: ErrorReport, file: String?) {
        let d = describe(r)
        var location = ""
        if let position = r.position {
            let where_ = r.traceback.first?.file ?? file
            if let f = where_, f != "<stdin>" || file != nil {
                location = "\(f):\(position.line):\(position.column): "
            } else if r.isSyntaxError {
                location = "\(position.line):\(position.column): "
            }
        }
        var text = "error: \(location)\(d.message)\n"
        for h in d.hints { text += "hint: \(h)\n" }
        writeError(text)
    }

    /// Prints a shell (magic) error.
    func report(_ e: ShellError, file: String?, line: Int?) {
        var text = "error: " + (file.map { f in line.map { "\(f):\($0):1: " } ?? "\(f): " } ?? "") + e.message + "\n"
        if let h = e.hint { text += "hint: \(h)\n" }
        writeError(text)
    }

    func noteRedaction() {
        let first = state.withLock { s -> Bool in
            defer { s.redactionNoticeShown = true }
            return !s.redactionNoticeShown
        }
        if first {
            writeError(
                "note: secrets (api_key=\"...\", os.environ[\"..._KEY\"] = \"...\") are kept out of history and %save (written as \"<redacted>\"); env(\"NAME\") reads a key from the environment instead\n"
            )
        }
    }

    // MARK: Session

    /// Binds `name` in the session to a library module, so Python code can call a host's own
    /// program (or a test's stub) as `name(question=...)`.
    public func define(_ name: String, module: any DSPy.Module) {
        interpreter.withLock { _ in interpreter.main.define(name, ModuleBinding.wrap(module)) }
    }

    /// Binds `name` in the session to a library LM.
    public func define(_ name: String, lm: LM) {
        interpreter.withLock { _ in interpreter.main.define(name, .object(LMObject.wrap(lm))) }
    }

    /// Names defined in the session, sorted.
    public var definedNames: [String] {
        interpreter.withLock(timeout: .milliseconds(200)) { _ in
            interpreter.main.globals.names.filter { !$0.hasPrefix("_") && $0 != "args" }.sorted()
        } ?? []
    }
}

/// An error in a shell command (a magic), with an optional hint line.
struct ShellError: Error, CustomStringConvertible {
    let message: String
    let hint: String?
    init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }
    var description: String { message }
}

extension ShellEngine {
    /// Runs a `%magic` line or an `x?` help request.
    func runMagic(_ chunk: StatementSplitter.Chunk, file: String?) async -> Bool {
        let text = chunk.text.trimmingCharacters(in: .whitespaces)
        do {
            try await withStatementToken { token in
                if text.hasPrefix("%") {
                    try await Magics.run(String(text.dropFirst()), engine: self, file: file, line: chunk.firstLine)
                } else {
                    try await Magics.showHelp(text, engine: self)
                }
                if token.isCancelled { throw CancellationError() }
            }
            return true
        } catch let e as ShellError {
            report(e, file: file, line: file == nil ? nil : chunk.firstLine)
        } catch let e as ReportedError {
            if let r = e.report { report(r, file: file) }
        } catch is CancellationError {
            writeError("error: interrupted\n")
        } catch let e as any DSPyError {
            report(
                ShellError(ErrorWording.python(e.summary), hint: e.hints.first.map(ErrorWording.python)), file: file,
                line: file == nil ? nil : chunk.firstLine)
        } catch {
            var lines = String(describing: error).split(separator: "\n").map(String.init)
            let hints = lines.filter { $0.hasPrefix("hint: ") }
            lines.removeAll { $0.hasPrefix("hint: ") }
            report(
                ShellError(lines.joined(separator: "\n"), hint: hints.first.map { String($0.dropFirst(6)) }), file: file,
                line: file == nil ? nil : chunk.firstLine)
        }
        return false
    }
}
