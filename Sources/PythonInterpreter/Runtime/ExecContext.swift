import Synchronization
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A flag that stops Python code: set by Ctrl-C or by cancelling the work that runs it.
public final class CancelToken: Sendable {
    private let flag = Atomic<Bool>(false)
    private let parent: CancelToken?

    public init(parent: CancelToken? = nil) {
        self.parent = parent
    }

    public var isCancelled: Bool {
        flag.load(ordering: .relaxed) || (parent?.isCancelled ?? false)
    }

    public func cancel() { flag.store(true, ordering: .relaxed) }
}

/// The state of one thread of Python execution (a statement, a task, a generator): its
/// interpreter, call depth, cancellation and stack bounds. Every evaluation step gets it.
public final class ExecContext: @unchecked Sendable {
    // Sendable proof: a context is used only by the thread it was made for, under the
    // interpreter lock; other threads read only `cancel`, which is atomic.
    public let interpreter: Interpreter
    public let cancel: CancelToken
    var depth = 0
    var ticks = 0
    /// The lowest stack address this thread may reach before a `RecursionError`.
    let stackLimit: UInt
    /// An error raised by user `__eq__`/`__hash__` inside a dict operation (which cannot throw).
    var pendingKeyError: (any Error)?
    /// The asyncio task this context runs, if any.
    public var task: PyTask?
    /// Nonzero while inside an `async def` body (for `asyncio.run` checks).
    var runningLoop = false
    /// Set on a generator's own thread.
    var generatorChannel: GeneratorChannel?
    /// Exceptions being handled by `except` blocks on this thread (for a bare `raise`).
    var handling: [PyExceptionObject] = []
    var handlingException: PyExceptionObject? { handling.last }
    /// Containers whose repr is being built on this thread (recursive containers print `[...]`).
    var reprInProgress = Set<ObjectIdentifier>()

    init(interpreter: Interpreter, cancel: CancelToken) {
        self.interpreter = interpreter
        self.cancel = cancel
        self.stackLimit = ExecContext.currentStackLimit()
    }

    // MARK: The current context of this thread

    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k, nil)
        return k
    }()

    /// The context running Python on this thread, if any.
    public static var current: ExecContext? {
        guard let p = pthread_getspecific(key) else { return nil }
        return Unmanaged<ExecContext>.fromOpaque(p).takeUnretainedValue()
    }

    /// Runs `body` with this context as the thread's current one.
    func activate<R>(_ body: () throws -> R) rethrows -> R {
        let previous = pthread_getspecific(ExecContext.key)
        pthread_setspecific(ExecContext.key, Unmanaged.passUnretained(self).toOpaque())
        defer { pthread_setspecific(ExecContext.key, previous) }
        return try body()
    }

    /// The lowest safe stack address: known exactly on Python threads (which record their stack
    /// when they start), estimated conservatively on other threads.
    static func currentStackLimit() -> UInt {
        var marker = 0
        let here = withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
        if let top = PythonThreads.stackTop {
            let bottom = top &- UInt(PythonThreads.stackSize)
            return bottom &+ 512 * 1024
        }
        return here &- 256 * 1024
    }

    // MARK: Limits

    /// Checks cancellation and resources; called on every loop iteration and call.
    @inline(__always)
    func tick() throws {
        if cancel.isCancelled { throw PyInterrupt() }
        ticks &+= 1
        if ticks & 0x3FFF == 0 { try interpreter.checkMemory() }
    }

    /// Raises `RecursionError` when the native stack is nearly exhausted (deep data
    /// structures, recursive `__repr__`) or Python calls nest beyond the recursion limit.
    @inline(__always)
    public func checkStack() throws {
        var marker = 0
        let here = withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
        if here < stackLimit { throw PyError.recursion("maximum recursion depth exceeded") }
    }

    func enterCall() throws {
        if cancel.isCancelled { throw PyInterrupt() }
        if depth >= interpreter.recursionLimit { throw PyError.recursion("maximum recursion depth exceeded") }
        try checkStack()
        depth += 1
    }

    @inline(__always)
    func leaveCall() { depth -= 1 }
}
