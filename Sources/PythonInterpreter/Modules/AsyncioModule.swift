import Dispatch
import Foundation
import Synchronization

/// An awaitable that runs a Swift closure when awaited (`asyncio.sleep`, semaphore acquisition).
final class PyDeferred: PyObject, @unchecked Sendable {
    // Sendable proof: as PyObject (interpreter lock).
    let name: String
    let body: (ExecContext) throws -> PyValue
    init(name: String, _ body: @escaping (ExecContext) throws -> PyValue) {
        self.name = name
        self.body = body
        super.init(type: Builtins.coroutineType)
    }
}

/// `asyncio.gather(...)`: every awaitable is already running; awaiting collects the results.
final class PyGatherFuture: PyObject, @unchecked Sendable {
    // Sendable proof: as PyObject (interpreter lock).
    let items: [PyValue]
    let returnExceptions: Bool
    init(items: [PyValue], returnExceptions: Bool) {
        self.items = items
        self.returnExceptions = returnExceptions
        super.init(type: Builtins.gatherFutureType)
    }

    func wait(_ ctx: ExecContext) throws -> PyValue {
        var results: [PyValue] = []
        for item in items {
            do {
                results.append(try ctx.await(item))
            } catch let e as PyError where returnExceptions {
                results.append(.object(e.exception))
            } catch {
                // The others keep running, as asyncio's gather leaves them.
                throw error
            }
        }
        return .object(PyList(results))
    }
}

/// asyncio's synchronization primitives, serialized by the interpreter lock. Waiting
/// coroutines are woken in FIFO order, each queued for the lock as it is woken (asyncio's rules).
final class PyAsyncPrimitive: PyObject, @unchecked Sendable {
    // Sendable proof: state changes happen under the interpreter lock; waiters block on their
    // own wakeups, which are thread-safe.
    enum Kind { case semaphore(bounded: Int?), lock, event, queue(maxsize: Int) }
    let kind: Kind
    var value: Int
    /// Coroutines waiting to acquire (semaphore, lock), for the event, or for `join`.
    var waiters: [Wakeup] = []
    /// Queue coroutines waiting for an item, and for room.
    var getters: [Wakeup] = []
    var putters: [Wakeup] = []
    /// Waiters that `release` handed a permit to, until they resume.
    private var granted = Set<ObjectIdentifier>()
    var items: [PyValue] = []
    var unfinished = 0

    init(kind: Kind, value: Int, type: PyType) {
        self.kind = kind
        self.value = value
        super.init(type: type)
    }

    /// Takes a permit, waiting its turn when none is free.
    func acquire(_ ctx: ExecContext) throws {
        if value > 0 && waiters.isEmpty {
            value -= 1
            return
        }
        var mine: Wakeup?
        do {
            try ctx.suspend { w in
                mine = w
                waiters.append(w)
            }
        } catch {
            if let w = mine {
                if granted.remove(ObjectIdentifier(w)) != nil { release(ctx.interpreter.lock) } else { waiters.removeAll { $0 === w } }
            }
            throw error
        }
        if let w = mine { granted.remove(ObjectIdentifier(w)) }
    }

    /// Gives a permit back: to the longest waiter, else to the pool.
    func release(_ lock: InterpreterLock) {
        while !waiters.isEmpty {
            let w = waiters.removeFirst()
            if w.wake(lock) {
                granted.insert(ObjectIdentifier(w))
                return
            }
        }
        value += 1
    }

    /// Wakes the first live waiter of `list` (asyncio's `_wakeup_next`).
    func wakeNext(_ list: inout [Wakeup], _ lock: InterpreterLock) {
        while !list.isEmpty {
            if list.removeFirst().wake(lock) { return }
        }
    }

    /// Wakes every waiter, in order (Event.set, the end of Queue.join).
    func wakeAll(_ lock: InterpreterLock) {
        let all = waiters
        waiters = []
        for w in all { w.wake(lock) }
    }

    /// Suspends the calling coroutine on `list` until woken.
    func wait(on list: ReferenceWritableKeyPath<PyAsyncPrimitive, [Wakeup]>, _ ctx: ExecContext) throws {
        var mine: Wakeup?
        do {
            try ctx.suspend { w in
                mine = w
                self[keyPath: list].append(w)
            }
        } catch {
            if let w = mine { self[keyPath: list].removeAll { $0 === w } }
            throw error
        }
    }
}

enum AsyncioModule {
    static func make() -> PyModule {
        let m = PyModule(name: "asyncio", doc: "Asynchronous I/O: coroutines run on the shell's threads, one at a time between awaits.")
        m.define("CancelledError", .object(Builtins.cancelledErrorType))
        m.define("TimeoutError", .object(Builtins.timeoutErrorType))
        m.define("InvalidStateError", .object(Builtins.invalidStateErrorType))
        m.define("QueueEmpty", .object(Builtins.queueEmptyType))
        m.define("QueueFull", .object(Builtins.queueFullType))
        m.define("Task", .object(Builtins.taskType))
        m.define("Semaphore", .object(Builtins.semaphoreType))
        m.define("BoundedSemaphore", .object(Builtins.boundedSemaphoreType))
        m.define("Lock", .object(Builtins.asyncLockType))
        m.define("Event", .object(Builtins.eventType))
        m.define("Queue", .object(Builtins.asyncQueueType))
        m.function("run", "run(main, *, debug=None)", doc: "Execute the coroutine and return the result.") { ctx, a in
            guard let main = a.positional.first else { throw PyError.type("run() missing 1 required positional argument: 'main'") }
            if ctx.runningLoop {
                throw PyError.runtime("asyncio.run() cannot be called from a running event loop")
            }
            guard case .object(let o) = main, o is PyCoroutine || o is PyNativeAwaitable || o is PyDeferred || o is PyGatherFuture || o is PyTask
            else {
                throw PyError.value("a coroutine was expected, got \(try ctx.repr(main))")
            }
            ctx.runningLoop = true
            defer { ctx.runningLoop = false }
            return try ctx.await(main)
        }
        m.function("gather", "gather(*aws, return_exceptions=False)", doc: "Run awaitables concurrently and return their results in order.") {
            ctx, a in
            var returnExceptions = false
            for (k, v) in a.keywords {
                guard k == "return_exceptions" else { throw PyError.type("gather() got an unexpected keyword argument '\(k)'") }
                returnExceptions = try ctx.truthy(v)
            }
            var items: [PyValue] = []
            for aw in a.positional { items.append(try schedule(ctx, aw)) }
            return .object(PyGatherFuture(items: items, returnExceptions: returnExceptions))
        }
        m.function("create_task", "create_task(coro, *, name=None)", doc: "Schedule the execution of a coroutine and return a Task.") { ctx, a in
            try a.checkCount("create_task", min: 1, max: 1)
            let name = try a.keyword("name").flatMap { ctx.optional($0) }.map { try ctx.strArg($0, "create_task") }
            return try task(ctx, a[0], name: name)
        }
        m.function("ensure_future", "ensure_future(coro_or_future)") { ctx, a in try schedule(ctx, a[0]) }
        m.function("sleep", "sleep(delay, result=None)", doc: "Coroutine that completes after a given time (in seconds).") { ctx, a in
            let p = try a.bind("sleep", ["delay", "result"], required: 1)
            let delay = try ctx.toDouble(p[0] ?? .int(0))
            guard delay.isFinite else { throw PyError.overflow("sleep length is too large") }
            let result = p[1] ?? .none
            return .object(
                PyDeferred(name: "sleep") { ctx in
                    try ctx.asyncSleep(delay)
                    return result
                })
        }
        m.function("wait_for", "wait_for(aw, timeout)", doc: "Wait for an awaitable to complete with a timeout.") { ctx, a in
            let p = try a.bind("wait_for", ["fut", "timeout"], required: 2)
            guard let aw = p[0] else { return .none }
            let timeout = try ctx.optional(p[1]).map { try ctx.toDouble($0) }
            return .object(
                PyDeferred(name: "wait_for") { ctx in
                    guard let limit = timeout else { return try ctx.await(aw) }
                    let t = try ensureTask(ctx, aw)
                    let deadline = DispatchTime.now() + .nanoseconds(waitNanoseconds(limit))
                    while !t.isDone {
                        if DispatchTime.now() >= deadline {
                            _ = t.requestCancel()
                            throw PyError(Builtins.timeoutErrorType, "")
                        }
                        try ctx.sleep(0.005)
                    }
                    return try t.wait(ctx)
                })
        }
        m.function("iscoroutine", "iscoroutine(obj)") { _, a in
            guard case .object(let o)? = a.positional.first else { return .false }
            return .bool(o is PyCoroutine || o is PyNativeAwaitable)
        }
        m.function("iscoroutinefunction", "iscoroutinefunction(func)") { _, a in
            .bool(a.positional.first?.as(PyFunction.self)?.isAsync ?? false)
        }
        m.function("current_task", "current_task()") { ctx, _ in ctx.task.map { .object($0) } ?? .none }
        m.function("get_event_loop", "get_event_loop()", doc: "Return an event loop object (run_until_complete runs a coroutine).") { _, _ in
            .object(PyInstance(cls: Builtins.eventLoopType))
        }
        m.function("get_running_loop", "get_running_loop()") { ctx, _ in
            guard ctx.runningLoop else { throw PyError.runtime("no running event loop") }
            return .object(PyInstance(cls: Builtins.eventLoopType))
        }
        m.function("new_event_loop", "new_event_loop()") { _, _ in .object(PyInstance(cls: Builtins.eventLoopType)) }
        m.function("set_event_loop", "set_event_loop(loop)") { _, _ in .none }
        m.function("as_completed", "as_completed(aws)", doc: "Iterate over awaitables in the order they finish (awaiting each item).") { ctx, a in
            let tasks = try ctx.iterateToArray(a[0]).map { try ensureTask(ctx, $0) }
            var pending = tasks
            return .object(
                ClosureIterator(name: "as_completed") { ctx in
                    guard !pending.isEmpty else { return nil }
                    while true {
                        if let i = pending.firstIndex(where: { $0.isDone }) {
                            let t = pending.remove(at: i)
                            return .object(t)
                        }
                        try ctx.sleep(0.002)
                    }
                })
        }
        m.function("to_thread", "to_thread(func, /, *args, **kwargs)", doc: "Run func in a separate thread (here: a task).") { ctx, a in
            guard let fn = a.positional.first else { throw PyError.type("to_thread() missing 1 required positional argument: 'func'") }
            var rest = a
            rest.positional.removeFirst()
            let args = rest
            return .object(try PyTask.spawn(ctx, name: "to_thread", cancelParent: ctx.cancel) { child in try child.call(fn, args) })
        }
        return m
    }

    /// Wraps a coroutine in a running task; native work is started; tasks pass through.
    static func schedule(_ ctx: ExecContext, _ aw: PyValue) throws -> PyValue {
        switch aw {
        case .object(let n as PyNativeAwaitable):
            n.start(ctx)
            return aw
        case .object(is PyCoroutine), .object(is PyDeferred), .object(is PyGatherFuture):
            return try task(ctx, aw, name: nil)
        case .object(is PyTask):
            return aw
        default:
            if ctx.special(aw, "__await__") != nil { return try task(ctx, aw, name: nil) }
            // Embedder awaitables (the shell's jobs) are awaited as they are.
            if ctx.interpreter.hooks.awaitObject != nil, case .object = aw { return aw }
            throw PyError.type("An asyncio.Future, a coroutine or an awaitable is required")
        }
    }

    static func ensureTask(_ ctx: ExecContext, _ aw: PyValue) throws -> PyTask {
        if let t = aw.as(PyTask.self) { return t }
        guard case .object(let t as PyTask) = try task(ctx, aw, name: nil) else { throw PyError.type("expected a task") }
        return t
    }

    static let counter = Atomic<Int>(0)

    static func task(_ ctx: ExecContext, _ aw: PyValue, name: String?) throws -> PyValue {
        guard case .object(let o) = aw,
            o is PyCoroutine || o is PyNativeAwaitable || o is PyDeferred || o is PyGatherFuture
                || ctx.special(aw, "__await__") != nil
        else {
            throw PyError.type("a coroutine was expected, got \(try ctx.repr(aw))")
        }
        if let n = o as? PyNativeAwaitable { n.start(ctx) }
        let taskName = name ?? "Task-\(counter.add(1, ordering: .relaxed).newValue)"
        return .object(
            try PyTask.spawn(ctx, name: taskName, cancelParent: ctx.cancel) { child in
                child.runningLoop = true
                return try child.await(aw)
            })
    }

    static func primitive(_ v: PyValue) throws -> PyAsyncPrimitive {
        guard let p = v.as(PyAsyncPrimitive.self) else { throw PyError.type("expected an asyncio primitive") }
        return p
    }

    static func installSemaphore(_ t: PyType, bounded: Bool) {
        t.native.construct = { ctx, cls, a in
            let p = try a.bind(cls.name, ["value"])
            let v = try p[0].map { try ctx.intArg($0) } ?? 1
            guard v >= 0 else { throw PyError.value("Semaphore initial value must be >= 0") }
            return .object(PyAsyncPrimitive(kind: .semaphore(bounded: bounded ? v : nil), value: v, type: cls))
        }
        installAcquireRelease(t)
        t.method("locked", "locked()", doc: "Returns True if semaphore cannot be acquired immediately.") { _, s, _ in
            .bool(try primitive(s).value == 0)
        }
    }

    static func installAcquireRelease(_ t: PyType) {
        t.method("acquire", "acquire()", doc: "Acquire (an awaitable).") { _, s, _ in
            let p = try primitive(s)
            return .object(
                PyDeferred(name: "acquire") { ctx in
                    try p.acquire(ctx)
                    return .true
                })
        }
        t.method("release", "release()", doc: "Release.") { ctx, s, _ in
            let p = try primitive(s)
            if case .semaphore(let bound?) = p.kind, p.value >= bound, p.waiters.isEmpty {
                throw PyError.value("BoundedSemaphore released too many times")
            }
            if case .lock = p.kind, p.value > 0 { throw PyError.runtime("Lock is not acquired.") }
            p.release(ctx.interpreter.lock)
            return .none
        }
        t.method("__aenter__") { _, s, _ in
            let p = try primitive(s)
            return .object(
                PyDeferred(name: "__aenter__") { ctx in
                    try p.acquire(ctx)
                    return .none
                })
        }
        t.method("__aexit__") { _, s, _ in
            let p = try primitive(s)
            return .object(
                PyDeferred(name: "__aexit__") { ctx in
                    p.release(ctx.interpreter.lock)
                    return .false
                })
        }
    }

    static func installLock(_ t: PyType) {
        t.native.construct = { _, cls, a in
            try a.check("Lock", min: 0, max: 0)
            return .object(PyAsyncPrimitive(kind: .lock, value: 1, type: cls))
        }
        installAcquireRelease(t)
        t.method("locked", "locked()", doc: "Return True if lock is acquired.") { _, s, _ in .bool(try primitive(s).value == 0) }
    }

    static func installEvent(_ t: PyType) {
        t.native.construct = { _, cls, a in
            try a.check("Event", min: 0, max: 0)
            return .object(PyAsyncPrimitive(kind: .event, value: 0, type: cls))
        }
        t.method("set", "set()", doc: "Set the internal flag to true, waking every waiter.") { ctx, s, _ in
            let p = try primitive(s)
            p.value = 1
            p.wakeAll(ctx.interpreter.lock)
            return .none
        }
        t.method("clear", "clear()") { _, s, _ in
            try primitive(s).value = 0
            return .none
        }
        t.method("is_set", "is_set()") { _, s, _ in .bool(try primitive(s).value != 0) }
        t.method("wait", "wait()", doc: "Block until the internal flag is true (an awaitable).") { _, s, _ in
            let p = try primitive(s)
            return .object(
                PyDeferred(name: "wait") { ctx in
                    if p.value == 0 { try p.wait(on: \.waiters, ctx) }
                    return .true
                })
        }
    }

    static func installQueue(_ t: PyType) {
        t.native.construct = { ctx, cls, a in
            let p = try a.bind("Queue", ["maxsize"])
            return .object(PyAsyncPrimitive(kind: .queue(maxsize: try p[0].map { try ctx.intArg($0) } ?? 0), value: 0, type: cls))
        }
        @Sendable func maxsize(_ p: PyAsyncPrimitive) -> Int {
            if case .queue(let m) = p.kind { return m }
            return 0
        }
        t.method("put", "put(item)", doc: "Put an item into the queue (an awaitable; waits while full).") { _, s, a in
            let p = try primitive(s)
            let item = a[0]
            return .object(
                PyDeferred(name: "put") { ctx in
                    while maxsize(p) > 0 && p.items.count >= maxsize(p) { try p.wait(on: \.putters, ctx) }
                    p.items.append(item)
                    p.unfinished += 1
                    p.wakeNext(&p.getters, ctx.interpreter.lock)
                    return .none
                })
        }
        t.method("put_nowait", "put_nowait(item)") { ctx, s, a in
            let p = try primitive(s)
            if maxsize(p) > 0 && p.items.count >= maxsize(p) { throw PyError(PyExceptionObject(cls: Builtins.queueFullType)) }
            p.items.append(a[0])
            p.unfinished += 1
            p.wakeNext(&p.getters, ctx.interpreter.lock)
            return .none
        }
        t.method("get", "get()", doc: "Remove and return an item (an awaitable; waits while empty).") { _, s, _ in
            let p = try primitive(s)
            return .object(
                PyDeferred(name: "get") { ctx in
                    while p.items.isEmpty { try p.wait(on: \.getters, ctx) }
                    let v = p.items.removeFirst()
                    p.wakeNext(&p.putters, ctx.interpreter.lock)
                    return v
                })
        }
        t.method("get_nowait", "get_nowait()") { ctx, s, _ in
            let p = try primitive(s)
            guard !p.items.isEmpty else { throw PyError(PyExceptionObject(cls: Builtins.queueEmptyType)) }
            let v = p.items.removeFirst()
            p.wakeNext(&p.putters, ctx.interpreter.lock)
            return v
        }
        t.method("task_done", "task_done()") { ctx, s, _ in
            let p = try primitive(s)
            guard p.unfinished > 0 else { throw PyError.value("task_done() called too many times") }
            p.unfinished -= 1
            if p.unfinished == 0 { p.wakeAll(ctx.interpreter.lock) }
            return .none
        }
        t.method("join", "join()", doc: "Wait until every item has been processed (an awaitable).") { _, s, _ in
            let p = try primitive(s)
            return .object(
                PyDeferred(name: "join") { ctx in
                    if p.unfinished > 0 { try p.wait(on: \.waiters, ctx) }
                    return .none
                })
        }
        t.method("qsize", "qsize()") { _, s, _ in .int(try primitive(s).items.count) }
        t.method("empty", "empty()") { _, s, _ in .bool(try primitive(s).items.isEmpty) }
        t.method("full", "full()") { _, s, _ in
            let p = try primitive(s)
            return .bool(maxsize(p) > 0 && p.items.count >= maxsize(p))
        }
        t.property("maxsize", get: { _, s in .int(maxsize(try primitive(s))) })
    }
}

extension Builtins {
    static let gatherFutureType = makeType("_GatheringFuture", module: "asyncio", native: .init(subclassable: false))
    static let semaphoreType = makeType("Semaphore", module: "asyncio") { AsyncioModule.installSemaphore($0, bounded: false) }
    static let boundedSemaphoreType = makeType("BoundedSemaphore", module: "asyncio") { AsyncioModule.installSemaphore($0, bounded: true) }
    static let asyncLockType = makeType("Lock", module: "asyncio") { AsyncioModule.installLock($0) }
    static let eventType = makeType("Event", module: "asyncio") { AsyncioModule.installEvent($0) }
    static let asyncQueueType = makeType("Queue", module: "asyncio") { AsyncioModule.installQueue($0) }
    static let queueEmptyType = exceptionType("QueueEmpty", exceptionBaseType, module: "asyncio")
    static let queueFullType = exceptionType("QueueFull", exceptionBaseType, module: "asyncio")
    static let eventLoopType = makeType("_UnixSelectorEventLoop", module: "asyncio") { t in
        t.method("run_until_complete", "run_until_complete(future)") { ctx, _, a in
            ctx.runningLoop = true
            defer { ctx.runningLoop = false }
            return try ctx.await(a[0])
        }
        t.method("close", "close()") { _, _, _ in .none }
        t.method("is_running", "is_running()") { ctx, _, _ in .bool(ctx.runningLoop) }
    }
}
