import NIOCore
import NIOPosix
import Synchronization

/// Task executors on the event loops that carry LM requests. A task that prefers one sends its
/// requests and takes their replies on that loop's thread (the pool keeps connections on each
/// loop its callers run on), so an LM call crosses no thread. On Swift's default executor the
/// loop wakes to read the reply and wakes a cooperative thread to resume the caller (and, for
/// https, first to write the request): about a quarter of a sequential `Predict` call's CPU
/// against a local server (~130 against ~96 µs).
///
///     try await withTaskExecutorPreference(IOExecutor.next()) {
///         for question in questions { _ = try await qa(["question": .string(question)]) }
///     }
///
/// It pays for callers that wait on one call at a time (a loop of calls, a multi-step program,
/// the shell, whose library calls run here). `batch` and `Parallel` keep their workers on the
/// default executor: with many calls in flight its threads stay busy and a hop costs nothing.
/// Code running on an event loop must not block it, since a blocked loop stalls every request
/// on it: run blocking work through ``asyncify(_:)``, which has its own threads.
public final class IOExecutor: TaskExecutor {
    /// The loop this executor runs jobs on.
    let loop: any EventLoop

    private init(loop: any EventLoop) {
        self.loop = loop
    }

    /// One executor per event loop of the process's shared group (one loop per core).
    package static let all: [IOExecutor] = MultiThreadedEventLoopGroup.singleton.makeIterator().map { IOExecutor(loop: $0) }
    private static let turn = Atomic<Int>(0)

    /// The executors in turn: successive callers get different loops, spreading work over the cores.
    public static func next() -> IOExecutor {
        let i = turn.add(1, ordering: .relaxed).oldValue
        return all[Int(UInt(bitPattern: i) % UInt(all.count))]
    }

    /// The executor whose loop runs the current thread, if any.
    package static var current: IOExecutor? {
        guard let here = MultiThreadedEventLoopGroup.currentEventLoop else { return nil }
        return all.first { $0.loop === here }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
