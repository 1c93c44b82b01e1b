import DSPy
import Foundation
import OrderedCollections

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

/// A background job: an async call started without `await`.
final class Job: Sendable {
    enum Status: Sendable { case running, done(ShellValue), failed(String), cancelled }
    let id: Int
    let text: String
    let started = ContinuousClock.now
    let task: Task<ShellValue, any Error>
    private let state = Locked<(status: Status, awaited: Bool, finished: ContinuousClock.Instant?)>((.running, false, nil))

    init(id: Int, text: String, task: Task<ShellValue, any Error>) {
        self.id = id
        self.text = text
        self.task = task
    }

    var status: Status { state.withLock { $0.status } }
    var isRunning: Bool { if case .running = status { return true }; return false }

    /// Marks the job as waited for, so its end is not announced separately.
    func markAwaited() { state.withLock { $0.awaited = true } }

    /// Records the outcome; returns true when nobody waits for it (so it should be announced).
    func finish(_ status: Status) -> Bool {
        state.withLock { s in
            s.status = status
            s.finished = .now
            return !s.awaited
        }
    }

    var elapsed: Duration { (state.withLock { $0.finished } ?? .now) - started }

    var summary: String {
        let secs = String(format: "%.1fs", elapsed.seconds)
        switch status {
        case .running: return "[\(id)] running  \(text)  (\(secs))"
        case .done: return "[\(id)] done     \(text)  (\(secs))"
        case .failed(let e): return "[\(id)] failed   \(text)  (\(secs)): \(e)"
        case .cancelled: return "[\(id)] cancelled  \(text)"
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// An error tied to the source position of the statement that raised it.
struct PositionedError: Error {
    let underlying: any Error
    let position: SourcePosition
}

/// The shell's engine: parses and runs statements, keeps the session (names, scopes, jobs,
/// inputs) and renders results. It has no terminal code, so tests drive it with strings.
public final class ShellEngine: Sendable {
    let output: any ShellOutput
    let settings: Settings
    let color: Bool
    /// The response cache that `LM(...)`, `configure_cache(...)` and `%cache` use.
    let responseCache: ResponseCache
    /// Tokens used by this session's LM calls, per model (`%usage`).
    let sessionUsage = UsageTracker()

    struct State {
        var variables: [String: ShellValue] = [:]
        var scopes: [ScopeSpec] = []
        var jobs: [Int: Job] = [:]
        var nextJobID = 1
        var history: [String] = []          // every input, secrets redacted
        var succeeded: [String] = []        // inputs that ran without error, for %save
        var running: Task<Bool, Never>?
        var announcements: [(job: Int, text: String)] = []
        var exitRequested = false
        var redactionNoticeShown = false
    }
    let state = Locked(State())

    /// - Parameters:
    ///   - settings: the session's settings; every statement and job runs with them bound as
    ///     `Settings.current` (the real shell uses the process default, tests a fresh instance).
    ///   - color: ANSI colours in `%inspect` output.
    ///   - responseCache: the cache for LMs made in the session (tests pass their own).
    public init(output: any ShellOutput = StandardOutput(), settings: Settings = .shared, color: Bool = false,
                responseCache: ResponseCache = .shared) {
        self.output = output
        self.settings = settings
        self.color = color
        self.responseCache = responseCache
        // The IPython exception: any session task (and background job) may call configure.
        settings.allowsConfigureFromAnyTask = true
        try? settings.configure(["usage_tracker": sessionUsage])
        state.withLock { $0.variables["args"] = .list([]) }
    }

    /// `dspy> `, `dspy[N]> ` with N scopes pushed.
    public var prompt: String {
        let depth = state.withLock { $0.scopes.count }
        return depth == 0 ? "dspy> " : "dspy[\(depth)]> "
    }

    /// The prompt for continuation lines.
    public var continuationPrompt: String { "...> " }

    /// True once `%exit` ran.
    public var exitRequested: Bool { state.withLock { $0.exitRequested } }

    /// Messages about jobs that finished since the last call (print them before the prompt).
    public func takeAnnouncements() -> [String] {
        state.withLock { s in
            defer { s.announcements = [] }
            return s.announcements.map(\.text)
        }
    }

    /// Whether an interactive buffer needs more lines before it can run.
    public func needsMoreInput(_ buffer: String) -> Bool { InputCompleteness.needsMore(buffer) }

    /// Cancels the statement that is running (Ctrl-C), down to its HTTP requests.
    public func cancelRunning() {
        state.withLock { $0.running }?.cancel()
    }

    /// Runs `source`: one interactive entry, a `-c` argument, or a whole script (`file` set).
    /// Each top-level statement runs in its own task. Returns false if any statement failed;
    /// stops at the first failure unless `keepGoing`.
    @discardableResult
    public func execute(_ source: String, file: String? = nil, keepGoing: Bool = false, echo: Bool = false, record: Bool = true) async -> Bool {
        let redacted = Redaction.redact(source)
        if record, !source.trimmingCharacters().isEmpty {
            state.withLock { $0.history.append(redacted.text) }
            if redacted.changed { noteRedaction() }
        }
        let statements: [Statement]
        do {
            statements = try Parser.parse(source)
        } catch let e as ShellSyntaxError {
            report(message: e.message, hints: [], position: e.position, file: file, alwaysShowPosition: true)
            return false
        } catch {
            report(error, position: nil, file: file)
            return false
        }
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var allOK = true
        for statement in statements {
            if echo {
                output.write(prompt + Self.sourceText(of: statement, in: lines) + "\n")
            }
            let ok = await runTopLevel(statement, file: file)
            if state.withLock({ $0.exitRequested }) { return allOK && ok }
            if !ok {
                allOK = false
                if !keepGoing { break }
            }
        }
        if record, allOK, !Magics.isInspectOnly(source) {
            state.withLock { $0.succeeded.append(redacted.text) }
        }
        return allOK
    }

    /// The lines of `statement` (for `--echo`).
    static func sourceText(of statement: Statement, in lines: [String]) -> String {
        let start = statement.position.line - 1
        guard start >= 0, start < lines.count else { return "" }
        var end = start
        if case .with = statement {
            let indent = lines[start].prefix { $0 == " " || $0 == "\t" }.count
            while end + 1 < lines.count {
                let next = lines[end + 1]
                let blank = next.trimmingCharacters().isEmpty
                let nextIndent = next.prefix { $0 == " " || $0 == "\t" }.count
                if !blank && nextIndent <= indent { break }
                end += 1
            }
            while end > start && lines[end].trimmingCharacters().isEmpty { end -= 1 }
        }
        return lines[start...end].joined(separator: "\n")
    }

    private func runTopLevel(_ statement: Statement, file: String?) async -> Bool {
        let scopes = state.withLock { $0.scopes }
        let task = Task { () -> Bool in
            do {
                try await self.settings.bind {
                    try await self.withScopes(scopes[...]) { try await self.exec(statement) }
                }
                return true
            } catch let e as PositionedError {
                self.report(e.underlying, position: e.position, file: file)
            } catch {
                self.report(error, position: statement.position, file: file)
            }
            return false
        }
        state.withLock { $0.running = task }
        let ok = await task.value
        state.withLock { $0.running = nil }
        return ok
    }

    /// Runs `body` inside every pushed scope, outermost first.
    func withScopes(_ scopes: ArraySlice<ScopeSpec>, _ body: () async throws -> Void) async throws {
        guard let first = scopes.first else { return try await body() }
        try await settings.context(first.values) { try await withScopes(scopes.dropFirst(), body) }
    }

    // MARK: Statements

    func exec(_ statement: Statement) async throws {
        do {
            switch statement {
            case .expression(let e, _):
                let v = try await eval(e)
                if case .job = v {
                    state.withLock { $0.variables["_"] = v }  // `[N] started` was printed already
                } else if !v.isNone {
                    output.write(v.repr + "\n")
                    state.withLock { $0.variables["_"] = v }
                }
            case .assign(let target, let valueExpr, _):
                let v = try await eval(valueExpr)
                try await assign(target, v)
            case .with(let ctxExpr, let body, _):
                let ctx = try await eval(ctxExpr)
                guard case .scope(let spec) = ctx else {
                    throw ShellError("`with` needs context(...), not \(ctx.typeName)")
                }
                try await settings.context(spec.values) {
                    for s in body { try await exec(s) }
                }
            case .magic(let text, _):
                try await Magics.run(text, engine: self)
            case .importStatement(let module, _):
                guard module == "dspy" else {
                    throw ShellError("only `import dspy` is available here", hint: "the shell has no Python modules; DSPy's names are built in")
                }
            }
        } catch let e as PositionedError {
            throw e
        } catch {
            throw PositionedError(underlying: error, position: statement.position)
        }
    }

    func assign(_ target: Expr, _ value: ShellValue) async throws {
        switch target {
        case .name(let n, _):
            guard Builtins.names[n] == nil || n == "_" else {
                throw ShellError("'\(n)' is a built-in name; pick another variable name")
            }
            state.withLock { $0.variables[n] = value }
        case .attribute(let base, let attr, _):
            let object = try await eval(base)
            try Builtins.setAttribute(object, attr, value)
        case .subscriptAccess(let base, let key, _):
            guard case .name(let n, _) = base, case .dict(var d)? = state.withLock({ $0.variables[n] }) else {
                throw ShellError("only dictionaries held in a variable support item assignment")
            }
            guard case .string(let k) = try await eval(key) else { throw ShellError("dictionary keys must be strings") }
            d[k] = value
            state.withLock { $0.variables[n] = .dict(d) }
        default:
            throw ShellError("cannot assign to this expression")
        }
    }

    // MARK: Jobs

    func startJob(text: String, _ function: ShellFunction, _ args: ShellArguments) -> ShellValue {
        let id = state.withLock { s -> Int in
            defer { s.nextJobID += 1 }
            return s.nextJobID
        }
        let holder = Locked<Job?>(nil)
        let task = Task { () throws -> ShellValue in
            let result: Result<ShellValue, any Error>
            do { result = .success(try await function.call(args)) } catch { result = .failure(error) }
            // Wait until the job is registered, so the announcement can name it.
            var job: Job?
            while job == nil {
                job = holder.withLock { $0 }
                if job == nil { await Task.yield() }
            }
            if let job { self.jobFinished(job, result) }
            return try result.get()
        }
        let job = Job(id: id, text: text, task: task)
        holder.withLock { $0 = job }
        state.withLock { $0.jobs[id] = job }
        output.write("[\(id)] started\n")
        return .job(job)
    }

    private func jobFinished(_ job: Job, _ result: Result<ShellValue, any Error>) {
        let status: Job.Status
        switch result {
        case .success(let v): status = .done(v)
        case .failure(let e) where e is CancellationError: status = .cancelled
        case .failure(let e): status = .failed(describe(e).message)
        }
        guard job.finish(status) else { return }
        let line: String
        switch status {
        case .done(let v): line = "[\(job.id)] done: " + (v.isNone ? "None" : v.repr)
        case .failed(let m): line = "[\(job.id)] failed: \(m)"
        case .cancelled: line = "[\(job.id)] cancelled"
        case .running: return
        }
        state.withLock { $0.announcements.append((job.id, line)) }
    }

    /// Waits for a job and returns its value (errors rethrown).
    func wait(_ job: Job) async throws -> ShellValue {
        job.markAwaited()
        // Whoever awaits the job sees its result; drop an announcement not yet shown.
        state.withLock { $0.announcements.removeAll { $0.job == job.id } }
        return try await withTaskCancellationHandler {
            try await job.task.value
        } onCancel: {
            // Ctrl-C stops the waiting, not the job; `%cancel` stops the job.
        }
    }

    func job(_ id: Int) throws -> Job {
        guard let j = state.withLock({ $0.jobs[id] }) else {
            let ids = state.withLock { $0.jobs.keys.sorted() }
            throw ShellError("no job [\(id)]", hint: ids.isEmpty ? "no jobs were started in this session" : "jobs: " + ids.map { "[\($0)]" }.joined(separator: " "))
        }
        return j
    }

    // MARK: Errors

    struct Described {
        let message: String
        let hints: [String]
    }

    func describe(_ error: any Error) -> Described {
        switch error {
        case let e as ShellError: return Described(message: e.message, hints: e.hint.map { [$0] } ?? [])
        case let e as PositionedError: return describe(e.underlying)
        case is CancellationError: return Described(message: "interrupted", hints: [])
        case let e as ParallelCancelledError where e.reason == .interrupted: return Described(message: "interrupted (\(e.completed) items had finished)", hints: [])
        default:
            let text = String(describing: error)
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            var hints: [String] = []
            while let last = lines.last, last.hasPrefix("hint: ") || last.isEmpty {
                if last.hasPrefix("hint: ") { hints.insert(String(last.dropFirst(6)), at: 0) }
                lines.removeLast()
            }
            return Described(message: lines.joined(separator: "\n"), hints: hints)
        }
    }

    func report(_ error: any Error, position: SourcePosition?, file: String?) {
        let d = describe(error)
        report(message: d.message, hints: d.hints, position: position, file: file, alwaysShowPosition: false)
    }

    func report(message: String, hints: [String], position: SourcePosition?, file: String?, alwaysShowPosition: Bool) {
        var location = ""
        if let file, let position { location = "\(file):\(position.line):\(position.column): " }
        else if alwaysShowPosition, let position { location = "\(position): " }
        var text = "error: \(location)\(message)\n"
        for h in hints { text += "hint: \(h)\n" }
        output.writeError(text)
    }

    func noteRedaction() {
        let first = state.withLock { s -> Bool in
            defer { s.redactionNoticeShown = true }
            return !s.redactionNoticeShown
        }
        if first {
            output.writeError("note: the api_key value is kept out of history and %save (written as \"<redacted>\"); env(\"NAME\") reads a key from the environment instead\n")
        }
    }

    // MARK: Session

    /// Names defined in the session, sorted.
    public var definedNames: [String] { state.withLock { $0.variables.keys.filter { $0 != "_" && $0 != "args" }.sorted() } }

    func variable(_ name: String) -> ShellValue? { state.withLock { $0.variables[name] } }

    func define(_ name: String, _ value: ShellValue) { state.withLock { $0.variables[name] = value } }

    /// Binds `args` to a script's command-line arguments.
    public func setScriptArguments(_ args: [String]) { define("args", .list(args.map { .string($0) })) }
}

/// Keeps API keys out of history and saved scripts.
public enum Redaction {
    /// Replaces the string given as `api_key` with `"<redacted>"`.
    public static func redact(_ source: String) -> (text: String, changed: Bool) {
        guard source.contains("api_key") else { return (source, false) }
        var out = ""
        var changed = false
        var rest = Substring(source)
        while let r = rest.range(of: "api_key") {
            out += rest[..<r.upperBound]
            rest = rest[r.upperBound...]
            var probe = rest.drop { $0 == " " }
            guard probe.first == "=" else { continue }
            probe = probe.dropFirst().drop { $0 == " " }
            guard let q = probe.first, q == "\"" || q == "'" else { continue }
            var end = probe.index(after: probe.startIndex)
            var escaped = false
            while end < probe.endIndex {
                if escaped { escaped = false } else if probe[end] == "\\" { escaped = true } else if probe[end] == q { break }
                end = probe.index(after: end)
            }
            guard end < probe.endIndex else { continue }
            out += "=\"<redacted>\""
            rest = probe[probe.index(after: end)...]
            changed = true
        }
        out += rest
        return (out, changed)
    }
}
