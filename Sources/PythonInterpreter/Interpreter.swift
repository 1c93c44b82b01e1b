import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A sandboxed interpreter for the Python subset that DSPy programs use: a session with its
/// own `__main__` namespace, importable modules, limits (recursion, memory, value size) and
/// the lock that serializes Python code across the threads that run it.
///
/// It knows neither DSPy nor the terminal: embedders add modules (``registerModule(_:_:)``),
/// builtins (``defineBuiltin(_:_:)``) and hooks (``Hooks``).
public final class Interpreter: @unchecked Sendable {
    // Sendable proof: mutable state (modules, hooks) is touched only under `lock`, except
    // `hooks`, which embedders set before running code.

    /// Limits that keep a session alive whatever the code does.
    public struct Options: Sendable {
        /// Python's recursion limit (`RecursionError` beyond it).
        public var recursionLimit = 1000
        /// The largest single value (string, list...) code may build, in bytes: far above any
        /// prompt or dataset a session handles, low enough that one statement cannot spend
        /// seconds and gigabytes building and copying a value.
        public var maxValueBytes = 1 << 28
        /// The process's resident memory above which code gets `MemoryError`.
        public var maxResidentBytes = 4 << 30
        /// The largest int `*`, `**` and `<<` may produce, in bits (`MemoryError` beyond it):
        /// one big-int operation cannot be interrupted, so this bounds its time too.
        public var maxIntegerBits = Arith.maxIntBits
        public init() {}

        /// The defaults without the resident-memory limit, for a process that hosts many
        /// sessions (a test run): its memory is not one session's, so it says nothing about
        /// this one (the test suite under the thread sanitizer passes 4 GB).
        public static var sharedProcess: Options {
            var options = Options()
            options.maxResidentBytes = .max
            return options
        }
    }

    /// Callbacks the embedding program provides.
    public struct Hooks: Sendable {
        /// Writes text to standard output (`print`) and standard error.
        public var writeOutput: @Sendable (String) -> Void = { _ in }
        public var writeError: @Sendable (String) -> Void = { _ in }
        /// Shows the value of an interactive expression statement (default: its repr).
        public var display: (@Sendable (ExecContext, PyValue) throws -> Void)?
        /// Transforms the value of an interactive top-level expression statement or simple
        /// assignment before it is shown or stored (the shell turns awaitables into jobs).
        public var topLevelValue: (@Sendable (ExecContext, PyValue, _ isAssignment: Bool) throws -> PyValue)?
        /// Captures the current thread's scope so it can be re-applied on other threads.
        public var captureScope: (@Sendable () -> any ScopeCarrier)?
        /// The executor a task running the embedder's async work should prefer (nil: Swift's
        /// default); the shell gives the event loops its library sends requests on.
        public var taskExecutor: (@Sendable () -> (any TaskExecutor)?)?
        /// Called after an attribute is stored on an object (modules track their sub-modules).
        public var attributeSet: (@Sendable (ExecContext, PyObject, String, PyValue) -> Void)?
        /// Awaits objects the interpreter does not know (embedder jobs).
        public var awaitObject: (@Sendable (ExecContext, PyValue) throws -> PyValue?)?
        /// Called when an asyncio task finishes, on its thread with the lock held.
        public var taskFinished: (@Sendable (ExecContext, PyTask) -> Void)?
        /// Describes errors that are not Python exceptions (the embedder's own).
        public var describeError: (@Sendable (any Error) -> ErrorReport?)?
        /// `help(obj)` text for objects the embedder knows (nil: the default help).
        public var help: (@Sendable (ExecContext, PyValue) throws -> String?)?
        public init() {}
    }

    public let options: Options
    public var hooks = Hooks()
    /// The program embedding this interpreter (natives find their session through it).
    public weak var embedder: AnyObject?
    public let lock = InterpreterLock()
    public let builtinsModule: PyModule
    public var builtins: Globals { builtinsModule.globals }
    public let main: PyModule
    var modules: [String: PyModule] = [:]
    var moduleFactories: [String: @Sendable (Interpreter) throws -> PyModule] = [:]
    var recursionLimit: Int
    var maxValueBytes: Int { options.maxValueBytes }
    /// `os.environ` changes made in this session (they never reach the process).
    public let environment: PyDict

    public init(options: Options = Options()) {
        _ = Builtins.installed
        self.options = options
        self.recursionLimit = options.recursionLimit
        builtinsModule = PyModule(name: "builtins", doc: "Built-in functions, exceptions, and other objects.")
        main = PyModule(name: "__main__")
        environment = PyDict()
        for (k, v) in ProcessInfo_environment() { environment.setString(k, .str(v)) }
        BuiltinFunctions.install(into: self)
        StandardModules.register(into: self)
        modules["builtins"] = builtinsModule
        modules["__main__"] = main
        main.define("__builtins__", .object(builtinsModule))
    }

    /// Adds or replaces a builtin name.
    public func defineBuiltin(_ name: String, _ value: PyValue) { builtins.set(name, value) }

    /// Makes `import name` build the module with `factory` (once, on first import).
    public func registerModule(_ name: String, _ factory: @escaping @Sendable (Interpreter) throws -> PyModule) {
        moduleFactories[name] = factory
        modules.removeValue(forKey: name)
    }

    /// Names `import` accepts.
    public var importableModules: [String] {
        Array(Set(moduleFactories.keys).union(modules.keys)).filter { !$0.hasPrefix("_") && $0 != "__main__" }.sorted()
    }

    func importModule(_ name: String, _ ctx: ExecContext) throws -> PyModule {
        if let m = modules[name] { return m }
        if let factory = moduleFactories[name] {
            let m = try factory(self)
            modules[name] = m
            // `import a.b` also makes `a.b` an attribute of `a`.
            if let dot = name.lastIndex(of: ".") {
                let parent = String(name[..<dot])
                if let p = try? importModule(parent, ctx) { p.define(String(name[name.index(after: dot)...]), .object(m)) }
            }
            return m
        }
        let available = importableModules.filter { !$0.contains(".") }.joined(separator: ", ")
        throw PyError.moduleNotFound("No module named '\(name)' (this shell has: \(available))")
    }

    func availableNamesHint(_ m: PyModule, _ name: String) -> String {
        let names = m.globals.names.filter { !$0.hasPrefix("_") }
        if let close = closestName(name, in: names) { return ". Did you mean: '\(close)'?" }
        return ""
    }

    func nameError(_ name: String) -> PyError {
        let e = PyError.name("name '\(name)' is not defined")
        e.exception.instanceDictionaryName = name
        return e
    }

    func checkAssignable(_ name: String, in globals: Globals) throws {}

    /// Shows an interactive expression's value and binds `_`.
    func display(_ ctx: ExecContext, _ v: PyValue) throws {
        if v.isNone { return }
        if let hook = hooks.display {
            try hook(ctx, v)
        } else {
            hooks.writeOutput(try ctx.repr(v) + "\n")
        }
        builtins.set("_", v)
    }

    // MARK: Memory

    static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// The process's resident set size, from /proc (0 where unavailable).
    static func residentBytes() -> Int {
        let fd = open("/proc/self/statm", O_RDONLY)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let n = read(fd, &buffer, buffer.count)
        guard n > 0 else { return 0 }
        let fields = buffer[0..<n].split(separator: 0x20)
        guard fields.count > 1, let pages = Int(String(decoding: fields[1], as: UTF8.self)) else { return 0 }
        return pages * pageSize
    }

    func checkMemory() throws {
        let rss = Interpreter.residentBytes()
        if rss > options.maxResidentBytes {
            throw PyError.memory("the session uses \(rss >> 20) MB, over its limit of \(options.maxResidentBytes >> 20) MB")
        }
    }

    // MARK: Running code

    /// How top-level expression statements behave.
    public enum Mode: Sendable {
        /// Their values are shown (the shell, `-c`, `.dspy` scripts).
        case interactive
        /// As `python3 FILE` runs a file: values are not shown.
        case file
    }

    /// What running a piece of source did.
    public enum Outcome: Sendable {
        case completed
        case failed(ErrorReport)
    }

    /// Parses, compiles and runs `source` (one top-level statement or more) in `__main__`, on a
    /// Python thread. `firstLine` is the line the text starts at in its file.
    public func run(
        _ source: String, filename: String, firstLine: Int = 1, mode: Mode, scope: (any ScopeCarrier)?,
        cancel: CancelToken
    ) async -> Outcome {
        await onPythonThread(cancel: cancel, scope: scope) { ctx in
            let stmts = try Parser.parseModule(source, firstLine: firstLine)
            let code = try Compiler.compileModule(stmts, filename: filename, interactive: mode == .interactive)
            let frame = Frame(code: code, ctx: ctx, globals: self.main.globals)
            _ = try runBlock(code.body, frame)
        }
    }

    /// Runs `body` on a Python thread holding the interpreter lock, reporting any error.
    public func onPythonThread(
        cancel: CancelToken, scope: (any ScopeCarrier)?,
        _ body: @escaping @Sendable (ExecContext) throws -> Void
    ) async -> Outcome {
        // The outcome travels through a mutex-guarded box, not the continuation: the thread
        // sanitizer does not see a continuation resumed from a plain thread as a hand-over.
        let box = Guarded<Outcome?>(nil)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ticket = lock.reserve()
            do {
                try PythonThreads.shared.run {
                    self.lock.acquire(ticket)
                    let ctx = ExecContext(interpreter: self, cancel: cancel)
                    let outcome: Outcome = ctx.activate {
                        do {
                            try ScopeCarrierRunner.run(scope) { try body(ctx) }
                            return .completed
                        } catch {
                            return .failed(self.report(error, ctx))
                        }
                    }
                    self.lock.release()
                    box.withLock { $0 = outcome }
                    continuation.resume()
                }
            } catch {
                lock.acquire(ticket)
                lock.release()
                box.withLock { $0 = .failed(ErrorReport(kind: "RuntimeError", message: String(describing: error))) }
                continuation.resume()
            }
        }
        return box.withLock { $0 } ?? .failed(ErrorReport(kind: "RuntimeError", message: "the Python thread ended without an outcome"))
    }

    /// Runs `body` with the interpreter lock on the calling thread (which must not be a Swift
    /// concurrency thread: it may block until running Python code yields the lock).
    public func withLock<R>(_ body: (ExecContext) throws -> R) rethrows -> R {
        lock.acquire()
        defer { lock.release() }
        let ctx = ExecContext(interpreter: self, cancel: CancelToken())
        return try ctx.activate { try body(ctx) }
    }

    /// Like ``withLock(_:)``, but gives up (returning nil) when running code keeps the lock
    /// longer than `timeout` (completion must not hang the prompt).
    public func withLock<R>(timeout: DispatchTimeInterval, _ body: (ExecContext) throws -> R) rethrows -> R? {
        guard lock.tryAcquire(timeout: timeout) else { return nil }
        defer { lock.release() }
        let ctx = ExecContext(interpreter: self, cancel: CancelToken())
        return try ctx.activate { try body(ctx) }
    }

    /// Imports a module by name (registered factories and already imported modules).
    public func importModuleNamed(_ name: String) throws -> PyModule {
        try importModule(name, ExecContext.current ?? ExecContext(interpreter: self, cancel: CancelToken()))
    }

    /// Turns an error into what the shell prints, computing `str(e)` with the lock held.
    public func report(_ error: any Error, _ ctx: ExecContext) -> ErrorReport {
        switch error {
        case let e as PythonSyntaxError:
            return ErrorReport(kind: e.kind, message: e.message, position: e.position, isSyntaxError: true)
        case is PyInterrupt:
            return ErrorReport(kind: "KeyboardInterrupt", message: "interrupted", isInterrupt: true)
        case let e as PyError:
            let exc = e.exception
            let message = (try? ctx.str(.object(exc))) ?? exc.message
            var hint: String?
            if exc.type === Builtins.nameErrorType, let name = exc.instanceDictionaryName {
                let candidates = main.globals.names + builtins.names
                if let close = closestName(name, in: candidates) { hint = "Did you mean: '\(close)'?" }
            }
            var exitCode: Int?
            if exc.type.isSubtype(of: Builtins.systemExitType) {
                switch exc.args.first {
                case nil, .none?: exitCode = 0
                case .int(let i)?: exitCode = i
                case .bool(let b)?: exitCode = b ? 1 : 0
                default:
                    exitCode = 1
                }
            }
            let chain: [String] = {
                var out: [String] = []
                var cur = exc.cause ?? (exc.suppressContext ? nil : exc.context)
                while let c = cur, out.count < 5 {
                    out.append(c.summary)
                    cur = c.cause ?? (c.suppressContext ? nil : c.context)
                }
                return out
            }()
            return ErrorReport(
                kind: exc.typeName, message: message, position: exc.traceback.first?.position,
                traceback: exc.traceback, hint: hint, exitCode: exitCode, causes: chain,
                exception: exc)
        default:
            if let d = hooks.describeError?(error) { return d }
            return ErrorReport(kind: "", message: String(describing: error))
        }
    }
}

/// What the shell needs to print an error (computed while holding the interpreter lock).
public struct ErrorReport: Sendable, CustomStringConvertible {
    /// `ValueError`, `SyntaxError`, ... (empty for errors that are not Python exceptions).
    public var kind: String
    public var message: String
    /// Where it happened: the innermost statement (or the syntax error's position).
    public var position: SourcePosition?
    /// Innermost first.
    public var traceback: [TracebackEntry] = []
    /// A suggestion such as "Did you mean: 'print'?".
    public var hint: String?
    public var isInterrupt = false
    public var isSyntaxError = false
    /// Set for `SystemExit` (`quit()`, `sys.exit(n)`).
    public var exitCode: Int?
    /// The causes and contexts, outermost first.
    public var causes: [String] = []
    /// The exception object, for embedders that map it back to their own errors.
    public var exception: PyExceptionObject?

    public init(
        kind: String, message: String, position: SourcePosition? = nil, traceback: [TracebackEntry] = [],
        hint: String? = nil, isInterrupt: Bool = false, isSyntaxError: Bool = false, exitCode: Int? = nil,
        causes: [String] = [], exception: PyExceptionObject? = nil
    ) {
        self.kind = kind
        self.message = message
        self.position = position
        self.traceback = traceback
        self.hint = hint
        self.isInterrupt = isInterrupt
        self.isSyntaxError = isSyntaxError
        self.exitCode = exitCode
        self.causes = causes
        self.exception = exception
    }

    /// The exception's class as CPython's traceback names it: qualified with its module unless
    /// that is `builtins` or `__main__` (`json.decoder.JSONDecodeError`).
    public var qualifiedKind: String {
        guard let t = exception?.type, t.module != "builtins", t.module != "__main__", !t.module.isEmpty else { return kind }
        return "\(t.module).\(t.qualname)"
    }

    /// `ValueError: message`, as the last line of a CPython traceback.
    public var description: String {
        if kind.isEmpty { return message }
        return message.isEmpty ? qualifiedKind : "\(qualifiedKind): \(message)"
    }
}

/// The closest candidate by edit distance, if it is close enough to be a likely typo.
public func closestName(_ name: String, in candidates: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count)
        for i in 1...a.count {
            var cur = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            prev = cur
        }
        return prev[b.count]
    }
    guard name.count < 64 else { return nil }
    let target = Array(name.lowercased())
    var best: (name: String, distance: Int)?
    for c in Set(candidates) where c.count < 64 {
        let d = distance(target, Array(c.lowercased()))
        if let b = best, d > b.distance || (d == b.distance && c >= b.name) { continue }
        best = (c, d)
    }
    guard let b = best, b.distance <= max(1, name.count / 3), b.name != name else { return nil }
    return b.name
}

func ProcessInfo_environment() -> [(String, String)] {
    ProcessInfo.processInfo.environment.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
}
