import Dispatch
import Synchronization

/// The worker pool for blocking code: its own threads (never Swift's cooperative pool). A call
/// starts only while fewer than `async_max_workers` (read at call time, in the caller's scope)
/// jobs are running; unlike DSPy, a scope that raises the limit does not loosen other callers'.
enum BlockingPool {
    static let threads = ThreadPool(name: "dspy.asyncify")
    static let limiter = AsyncSemaphore(capacity: Int.max)

    /// Runs `work` on a pool thread with the caller's settings scope and call lineage.
    /// Cancelling the caller returns at once with `CancellationError`; the worker finishes
    /// alone and its result is dropped.
    static func run<R: Sendable>(_ work: @escaping @Sendable () throws -> R) async throws -> R {
        try await limiter.acquire(limit: max(1, Settings.current.asyncMaxWorkers))
        let snapshot = Settings.current.capture()
        let once = OnceContinuation<R>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<R, any Error>) in
                once.install(c)
                threads.submit {
                    let result = Result { try snapshot.apply { try work() } }
                    limiter.release()
                    once.resume(with: result)
                }
            }
        } onCancel: {
            once.resume(with: .failure(CancellationError()))
        }
    }
}

/// A continuation that is resumed exactly once, by whichever comes first: the result or a
/// cancellation (which may arrive before the continuation is installed).
final class OnceContinuation<R: Sendable>: Sendable {
    private enum State { case empty, waiting(CheckedContinuation<R, any Error>), early(Result<R, any Error>), done }
    private let state = Locked<State>(.empty)

    func install(_ c: CheckedContinuation<R, any Error>) {
        let early: Result<R, any Error>? = state.withLock { s in
            if case .early(let r) = s { s = .done; return r }
            s = .waiting(c)
            return nil
        }
        if let early { c.resume(with: early) }
    }

    func resume(with result: Result<R, any Error>) {
        let c: CheckedContinuation<R, any Error>? = state.withLock { s in
            switch s {
            case .empty: s = .early(result); return nil
            case .waiting(let c): s = .done; return c
            case .early, .done: return nil
            }
        }
        c?.resume(with: result)
    }
}

/// Turns a synchronous, blocking function into an async one that runs on a worker thread
/// pool bounded by `async_max_workers`, with the caller's scope re-applied in the worker
/// (DSPy's `dspy.asyncify`). It never blocks Swift's cooperative pool.
public func asyncify<R: Sendable>(_ program: @escaping @Sendable () throws -> R) -> @Sendable () async throws -> R {
    { try await BlockingPool.run(program) }
}

/// The one-argument form of `asyncify(_:)`, e.g. for a blocking function of inputs.
public func asyncify<A: Sendable, R: Sendable>(_ program: @escaping @Sendable (A) throws -> R) -> @Sendable (A) async throws -> R {
    { a in try await BlockingPool.run { try program(a) } }
}

/// A module whose logic is synchronous (blocking I/O, a C library). Implement
/// ``forwardSync(_:)``; calls run it on the blocking pool, so it never stalls other tasks.
public protocol SyncModule: Module {
    /// The blocking logic, run on a worker thread with the caller's scope.
    func forwardSync(_ inputs: Inputs) throws -> Prediction
}

extension SyncModule {
    /// Runs ``forwardSync(_:)`` on the blocking pool.
    public func forward(_ inputs: Inputs) async throws -> Prediction {
        try await BlockingPool.run { try self.forwardSync(inputs) }
    }
}

/// An error for blocking on async work where that would deadlock.
public struct BlockingBridgeError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// Runs async `work` to completion from synchronous code and returns its result (DSPy's
/// `syncify`). The calling thread blocks, so this refuses to run inside a Swift task, where
/// blocking a cooperative thread can deadlock the whole pool; call it from plain threads
/// (such as `asyncify(_:)` workers) only.
public func runBlocking<R: Sendable>(_ work: @escaping @Sendable () async throws -> R) throws -> R {
    if withUnsafeCurrentTask(body: { $0 != nil }) {
        throw BlockingBridgeError(
            description:
                "Cannot block on async work from inside a Swift task: it would stall the cooperative thread pool and can deadlock. Use `await` here, or run the synchronous code through asyncify(...)."
        )
    }
    let snapshot = Settings.current.capture()
    let box = Locked<Result<R, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        let r: Result<R, any Error>
        do { r = .success(try await snapshot.apply { try await work() }) } catch { r = .failure(error) }
        box.withLock { $0 = r }
        done.signal()
    }
    done.wait()
    guard let result = box.withLock({ $0 }) else { throw CancellationError() }
    return try result.get()
}

extension SettingKey where Value == Int {
    /// Capacity of the `asyncify` worker pool (`async_max_workers`, 8).
    public static var asyncMaxWorkers: SettingKey {
        SettingKey(
            "async_max_workers", summary: "how many asyncify calls run at once (default 8)",
            default: { 8 }, check: .integer(in: 1...Int.max, "a whole number of workers, at least 1"))
    }
}

extension Settings {
    /// Capacity of the `asyncify` worker pool (`async_max_workers`, 8).
    public var asyncMaxWorkers: Int { self[.asyncMaxWorkers] }
}
