import Dispatch
import Synchronization

/// Raised inside an abandoned generator's thread so it unwinds without running Python code.
struct GeneratorAbandoned: Error {}

/// The hand-over point between a generator and its consumer (shared with the generator's thread,
/// which must not keep the generator object itself alive).
final class GeneratorChannel: @unchecked Sendable {
    // Sendable proof: the fields are written by one side before it signals the other side's
    // semaphore and read by that side after its wait, so accesses never overlap.
    let toGenerator = Handoff()
    let toConsumer = Handoff()
    var sent: PyValue = .none
    var thrown: PyExceptionObject?
    var yielded: PyValue?
    var failure: (any Error)?
    var returnValue: PyValue?
    let abandoned = Atomic<Bool>(false)

    /// Called on the generator's thread at `yield`: hands control back and waits to be resumed.
    func yieldFromBody(_ value: PyValue) throws -> PyValue {
        yielded = value
        toConsumer.signal()
        toGenerator.wait()
        if abandoned.load(ordering: .relaxed) { throw GeneratorAbandoned() }
        if let t = thrown {
            thrown = nil
            throw PyError(t)
        }
        return sent
    }
}

/// A generator (a `def` with `yield`, or an `async def` with `yield`). Its body runs on a thread
/// of its own; control (and with it the interpreter lock) passes between the consumer and that
/// thread at each `next()` and `yield`, so only one of them runs at a time.
public final class PyGenerator: PyIterator, @unchecked Sendable {
    let frame: Frame
    let function: PyFunction
    public let isAsync: Bool
    let channel = GeneratorChannel()
    enum State { case created, suspended, running, finished }
    private(set) var state = State.created

    init(frame: Frame, function: PyFunction, isAsync: Bool) {
        self.frame = frame
        self.function = function
        self.isAsync = isAsync
        super.init(type: isAsync ? Builtins.asyncGeneratorType : Builtins.generatorType)
    }

    deinit {
        if state == .suspended {
            channel.abandoned.store(true, ordering: .relaxed)
            channel.toGenerator.signal()
        }
    }

    public var returnValue: PyValue? { channel.returnValue }

    public override func next(_ ctx: ExecContext) throws -> PyValue? {
        try resume(ctx, send: .none)
    }

    override public var kindName: String { "generator" }

    /// Runs the generator to its next `yield` (nil when it returns).
    func resume(_ ctx: ExecContext, send value: PyValue, throwing: PyExceptionObject? = nil) throws -> PyValue? {
        switch state {
        case .finished:
            if let throwing { throw PyError(throwing) }
            return nil
        case .running: throw PyError.value("generator already executing")
        case .created:
            if !value.isNone && throwing == nil {
                throw PyError.type("can't send non-None value to a just-started generator")
            }
            if let throwing {
                state = .finished
                throw PyError(throwing)
            }
            state = .running
            do { try start(ctx) } catch {
                state = .finished
                throw error
            }
        case .suspended:
            state = .running
            channel.sent = value
            channel.thrown = throwing
            channel.toGenerator.signal()
        }
        // The generator thread now runs (holding the lock on our behalf); wait for it.
        channel.toConsumer.wait()
        if let failure = channel.failure {
            channel.failure = nil
            state = .finished
            throw failure
        }
        if let y = channel.yielded {
            channel.yielded = nil
            state = .suspended
            return y
        }
        state = .finished
        return nil
    }

    private func start(_ consumer: ExecContext) throws {
        let interpreter = consumer.interpreter
        let carrier = interpreter.hooks.captureScope?()
        let token = CancelToken(parent: consumer.cancel)
        let channel = self.channel
        let frame = self.frame
        let consumerTask = consumer.task
        let runningLoop = consumer.runningLoop
        try PythonThreads.shared.run {
            let ctx = ExecContext(interpreter: interpreter, cancel: token)
            ctx.generatorChannel = channel
            ctx.task = consumerTask
            ctx.runningLoop = runningLoop
            frame.ctx = ctx
            ctx.activate {
                do {
                    channel.returnValue = try ScopeCarrierRunner.run(carrier) { try ctx.runFrame(frame) }
                } catch is GeneratorAbandoned {
                    return
                } catch let e as PyError where e.isInstance(of: Builtins.stopIterationType) {
                    channel.failure = PyError.runtime("generator raised StopIteration")
                } catch {
                    channel.failure = error
                }
            }
            if !channel.abandoned.load(ordering: .relaxed) { channel.toConsumer.signal() }
        }
    }

    /// `gen.close()`: raises GeneratorExit inside a suspended generator.
    func close(_ ctx: ExecContext) throws {
        guard state == .suspended else {
            state = .finished
            return
        }
        do {
            if try resume(ctx, send: .none, throwing: PyExceptionObject(cls: Builtins.generatorExitType)) != nil {
                throw PyError.runtime("generator ignored GeneratorExit")
            }
        } catch let e as PyError where e.isInstance(of: Builtins.generatorExitType) || e.isInstance(of: Builtins.stopIterationType) {
            state = .finished
        }
    }
}

/// The object an `async def` call returns; awaiting it runs the body.
public final class PyCoroutine: PyObject, @unchecked Sendable {
    let frame: Frame
    let function: PyFunction
    var started = false

    init(frame: Frame, function: PyFunction) {
        self.frame = frame
        self.function = function
        super.init(type: Builtins.coroutineType)
    }

    public var name: String { function.qualname }

    /// Runs the body on the calling thread (the awaiting code waits for it anyway).
    func run(_ ctx: ExecContext) throws -> PyValue {
        guard !started else { throw PyError.runtime("cannot reuse already awaited coroutine") }
        started = true
        frame.ctx = ctx
        return try ctx.runFrame(frame)
    }
}

/// Async work done by the embedding library (an LM call): awaiting it blocks this Python thread
/// (without the interpreter lock) until the work is done. It starts when first awaited, or
/// earlier when a task or `gather` wraps it.
public final class PyNativeAwaitable: PyObject, @unchecked Sendable {
    // Sendable proof: as PyObject (interpreter lock); `box`/`done` are thread-safe.
    public typealias Work = @Sendable () async throws -> any Sendable
    public typealias Convert = @Sendable (ExecContext, any Sendable) throws -> PyValue
    let work: Work
    let convert: Convert
    public let name: String
    var consumed = false
    private var started: Task<Void, Never>?
    private let box = Guarded<Result<any Sendable, any Error>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    public init(name: String, work: @escaping Work, convert: @escaping Convert) {
        self.name = name
        self.work = work
        self.convert = convert
        super.init(type: Builtins.coroutineType)
    }

    /// Starts the work now (in the current thread's scope), without waiting for it.
    func start(_ ctx: ExecContext) {
        guard started == nil else { return }
        let carrier = ctx.interpreter.hooks.captureScope?()
        let work = self.work
        started = Task.detached(executorPreference: ctx.interpreter.hooks.taskExecutor?()) { [self] in
            let r: Result<any Sendable, any Error>
            do {
                if let carrier {
                    r = .success(try await carrier.run { ScopedSendable(try await work()) }.value)
                } else {
                    r = .success(try await work())
                }
            } catch {
                r = .failure(error)
            }
            box.withLock { $0 = r }
            done.signal()
        }
    }

    var isDone: Bool { box.withLock { $0 != nil } }

    func cancelWork() { started?.cancel() }

    func run(_ ctx: ExecContext) throws -> PyValue {
        guard !consumed else { throw PyError.runtime("cannot reuse already awaited coroutine") }
        consumed = true
        guard started != nil else {
            let result = try ctx.blockOn(work)
            return try convert(ctx, result)
        }
        return try convert(ctx, try waitResult(ctx))
    }

    /// Waits for a started work item without the interpreter lock.
    func waitResult(_ ctx: ExecContext) throws -> any Sendable {
        if let r = box.withLock({ $0 }) { return try r.get() }
        do {
            try ctx.waitUnlocked { timeout in self.done.wait(timeout: timeout) == .success }
        } catch {
            started?.cancel()
            throw error
        }
        done.signal()
        guard let r = box.withLock({ $0 }) else { throw PyInterrupt() }
        return try r.get()
    }

    /// The converted result, for a task that wraps this work.
    func value(_ ctx: ExecContext) throws -> PyValue {
        try convert(ctx, try waitResult(ctx))
    }
}

/// Carries a Sendable existential through a generic async call.
struct ScopedSendable: Sendable {
    let value: any Sendable
    init(_ value: any Sendable) { self.value = value }
}

/// An asyncio task: a coroutine (or native awaitable) running on its own thread.
public final class PyTask: PyObject, @unchecked Sendable {
    public let cancelToken: CancelToken
    private let completion = Guarded<Result<PyValue, any Error>?>(nil)
    public let name: String
    var doneCallbacks: [PyValue] = []
    private let cancelRequested = Atomic<Bool>(false)
    /// A `cancel()` not yet delivered as `CancelledError` at an await point.
    private let cancellationPending = Atomic<Bool>(false)
    /// Coroutines awaiting this task, woken in order when it finishes.
    private var waiters: [Wakeup] = []
    /// Where the task is suspended (an await), and the task it awaits, for `cancel()`.
    private let suspension = Guarded<(wakeup: Wakeup?, awaiting: PyTask?)>((nil, nil))
    private let lock: InterpreterLock

    init(name: String, cancel: CancelToken, lock: InterpreterLock) {
        self.name = name
        self.cancelToken = cancel
        self.lock = lock
        super.init(type: Builtins.taskType)
    }

    public var isDone: Bool { completion.withLock { $0 != nil } }
    public var outcome: Result<PyValue, any Error>? { completion.withLock { $0 } }
    var wasCancelled: Bool { cancelRequested.load(ordering: .relaxed) }

    /// The await the task is blocked in (set while it is suspended).
    var blockedOn: Wakeup? {
        get { suspension.withLock { $0.wakeup } }
        set { suspension.withLock { $0.wakeup = newValue } }
    }

    /// Consumes a pending cancellation request.
    func takeCancellationRequest() -> Bool {
        cancellationPending.exchange(false, ordering: .relaxed)
    }

    /// Starts `body` on a new Python thread, queued on the interpreter lock right behind the
    /// current holder.
    static func spawn(
        _ ctx: ExecContext, name: String, cancelParent: CancelToken?,
        _ body: @escaping @Sendable (ExecContext) throws -> PyValue
    ) throws -> PyTask {
        let interpreter = ctx.interpreter
        let task = PyTask(name: name, cancel: CancelToken(parent: cancelParent), lock: interpreter.lock)
        let carrier = interpreter.hooks.captureScope?()
        let ticket = interpreter.lock.reserve()
        do {
            try PythonThreads.shared.run {
                interpreter.lock.acquire(ticket)
                let child = ExecContext(interpreter: interpreter, cancel: task.cancelToken)
                child.task = task
                let result: Result<PyValue, any Error> = child.activate {
                    Result {
                        // A task cancelled before its first step never starts its coroutine.
                        try child.raisePendingCancellation()
                        return try ScopeCarrierRunner.run(carrier) { try body(child) }
                    }
                }
                task.finish(result, child)
                interpreter.lock.release()
            }
        } catch {
            // The reserved turn must still be passed on.
            interpreter.lock.acquire(ticket)
            interpreter.lock.release()
            throw error
        }
        return task
    }

    private func finish(_ result: Result<PyValue, any Error>, _ ctx: ExecContext) {
        var r = result
        if case .failure(let e) = result, e is PyInterrupt, wasCancelled {
            r = .failure(PyError(PyExceptionObject(cls: Builtins.cancelledErrorType)))
        }
        completion.withLock { $0 = r }
        for w in waiters { w.wake(lock) }
        waiters = []
        let callbacks = doneCallbacks
        doneCallbacks = []
        for cb in callbacks { _ = try? ctx.call(cb, Args([.object(self)])) }
        ctx.interpreter.hooks.taskFinished?(ctx, self)
    }

    /// Cancels the task from outside Python (the shell's job control): as `task.cancel()`, and
    /// code that runs without awaiting (a loop) is interrupted too.
    public func requestCancel() -> Bool {
        requestCancel(interruptingRunningCode: true)
    }

    /// `task.cancel()`: `CancelledError` is raised inside the task at its current (or next)
    /// await, as asyncio does; a task awaiting another task cancels that one too. With
    /// `interruptingRunningCode`, the task's code is also stopped wherever it runs.
    func requestCancel(interruptingRunningCode: Bool) -> Bool {
        guard !isDone else { return false }
        cancelRequested.store(true, ordering: .relaxed)
        let (wakeup, awaiting) = suspension.withLock { $0 }
        if interruptingRunningCode { cancelToken.cancel() }
        if let awaiting, awaiting.requestCancel(interruptingRunningCode: interruptingRunningCode) { return true }
        cancellationPending.store(true, ordering: .relaxed)
        wakeup?.wake(lock)
        return true
    }

    /// Whether a `cancel()` is waiting to be delivered at the task's next await.
    var hasPendingCancellation: Bool { cancellationPending.load(ordering: .relaxed) }

    /// Waits (without the interpreter lock) for the task, then returns its value or rethrows.
    public func wait(_ ctx: ExecContext) throws -> PyValue {
        if let r = outcome { return try r.get() }
        let awaiter = ctx.task
        awaiter?.suspension.withLock { $0.awaiting = self }
        defer { awaiter?.suspension.withLock { $0.awaiting = nil } }
        while outcome == nil { try ctx.suspend { waiters.append($0) } }
        guard let r = outcome else { throw PyInterrupt() }
        return try r.get()
    }
}

/// Applies a captured settings scope (or nothing) around work on another thread.
enum ScopeCarrierRunner {
    static func run<R>(_ carrier: (any ScopeCarrier)?, _ body: () throws -> R) throws -> R {
        guard let carrier else { return try body() }
        return try carrier.run(body)
    }
}

/// A scope captured on one thread and re-applied on another (the embedding library's
/// task-local settings, for instance).
public protocol ScopeCarrier: Sendable {
    func run<R>(_ body: () throws -> R) throws -> R
    func run<R: Sendable>(_ body: @Sendable () async throws -> R) async throws -> R
}

extension ExecContext {
    /// `await value`.
    public func await(_ v: PyValue) throws -> PyValue {
        guard case .object(let o) = v else { throw PyError.type("object \(v.typeName) can't be used in 'await' expression") }
        switch o {
        case let c as PyCoroutine:
            let saved = runningLoop
            runningLoop = true
            defer { runningLoop = saved }
            return try c.run(self)
        case let n as PyNativeAwaitable: return try n.run(self)
        case let t as PyTask: return try t.wait(self)
        case let d as PyDeferred: return try d.body(self)
        case let g as PyGatherFuture: return try g.wait(self)
        default:
            if let hook = interpreter.hooks.awaitObject, let r = try hook(self, v) { return r }
            if let m = special(v, "__await__") {
                let it = try callDescriptor(m, self: v, Args())
                var last = PyValue.none
                if case .object(let g as PyGenerator) = it {
                    while let x = try g.resume(self, send: .none) { last = x }
                    return g.returnValue ?? last
                }
                return try self.await(it)
            }
            throw PyError.type("object \(v.typeName) can't be used in 'await' expression")
        }
    }

    /// `yield value` inside a generator body.
    func yieldValue(_ v: PyValue) throws -> PyValue {
        guard let g = generatorChannel else { throw PyError.runtime("yield outside a running generator") }
        return try g.yieldFromBody(v)
    }

    /// An iterator function for `async for` over an async generator or an object with `__aiter__`.
    func asyncIterate(_ source: PyValue) throws -> () throws -> PyValue? {
        if case .object(let g as PyGenerator) = source, g.isAsync {
            return { try g.resume(self, send: .none) }
        }
        guard let aiter = special(source, "__aiter__") else {
            throw PyError.type("'async for' requires an object with __aiter__ method, got \(source.typeName)")
        }
        let it = try callDescriptor(aiter, self: source, Args())
        return {
            guard let anext = self.special(it, "__anext__") else { return nil }
            do {
                return try self.await(try self.callDescriptor(anext, self: it, Args()))
            } catch let e as PyError where e.isInstance(of: Builtins.stopAsyncIterationType) {
                return nil
            }
        }
    }

    /// Releases the interpreter lock while `wait` blocks (called repeatedly with a short timeout
    /// until it returns true), so Ctrl-C is noticed; takes the lock back before returning.
    public func waitUnlocked(_ wait: (DispatchTime) -> Bool) throws {
        interpreter.lock.release()
        defer { interpreter.lock.acquire() }
        while !wait(.now() + .milliseconds(50)) {
            if cancel.isCancelled { throw PyInterrupt() }
            // asyncio's task.cancel() reaches a task waiting for native work (an LM call) too.
            if let task, task.takeCancellationRequest() { throw PyError(PyExceptionObject(cls: Builtins.cancelledErrorType)) }
        }
    }

    /// Runs async Swift work from Python code: the interpreter lock is released while it runs,
    /// the settings scope of this thread goes with it, and Ctrl-C cancels it.
    public func blockOn<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        if cancel.isCancelled { throw PyInterrupt() }
        let carrier = interpreter.hooks.captureScope?()
        let box = Guarded<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let task = Task.detached(executorPreference: interpreter.hooks.taskExecutor?()) {
            let r: Result<T, any Error>
            do {
                if let carrier {
                    r = .success(try await carrier.run(work))
                } else {
                    r = .success(try await work())
                }
            } catch {
                r = .failure(error)
            }
            box.withLock { $0 = r }
            done.signal()
        }
        interpreter.lock.release()
        var interrupted = false
        while done.wait(timeout: .now() + .milliseconds(50)) == .timedOut {
            if cancel.isCancelled && !interrupted {
                interrupted = true
                task.cancel()
                // Give the work a moment to end on its own (closing its connections).
                if done.wait(timeout: .now() + .milliseconds(500)) == .success { break }
                interpreter.lock.acquire()
                throw PyInterrupt()
            }
        }
        interpreter.lock.acquire()
        if interrupted { throw PyInterrupt() }
        guard let r = box.withLock({ $0 }) else { throw PyInterrupt() }
        return try r.get()
    }

    /// Sleeps without the interpreter lock (`asyncio.sleep`, `time.sleep`).
    public func sleep(_ seconds: Double) throws {
        let deadline = DispatchTime.now() + .nanoseconds(waitNanoseconds(seconds))
        try waitUnlocked { timeout in
            let until = min(timeout, deadline)
            let gate = DispatchSemaphore(value: 0)
            _ = gate.wait(timeout: until)
            return DispatchTime.now() >= deadline
        }
    }
}

extension Builtins {
    public static let asyncGeneratorType = makeType("async_generator", native: .init(subclassable: false)) { GeneratorMethods.installAsync($0) }
    public static let taskType = makeType("Task", module: "asyncio", native: .init(subclassable: false)) { TaskMethods.install($0) }
}

/// A wait of `seconds` in nanoseconds, clamped to 0...1e9 s; NaN (from Python code, e.g.
/// `wait_for(..., timeout=float('nan'))`) waits 0, as CPython's comparisons make it do, and
/// never traps in the conversion to Int.
func waitNanoseconds(_ seconds: Double) -> Int {
    guard seconds > 0 else { return 0 }
    return Int(min(seconds, 1e9) * 1e9)
}
