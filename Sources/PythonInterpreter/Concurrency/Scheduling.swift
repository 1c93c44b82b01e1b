import Dispatch
import Foundation
import Synchronization

/// One Python thread blocked at an `await` until another wakes it.
///
/// The waker queues the sleeper for the interpreter lock at the moment it wakes it (the lock's
/// FIFO queue is asyncio's ready queue), so tasks resume in the order asyncio would resume them,
/// whatever order the operating system wakes the threads in.
final class Wakeup: Sendable {
    private enum State {
        case waiting
        case woken(InterpreterLock.Ticket)
        case abandoned
    }
    private let state = Guarded<State>(.waiting)
    private let semaphore = DispatchSemaphore(value: 0)

    /// Queues the sleeper for the interpreter lock and lets it go. False if it had already been
    /// woken or had given up (interrupted).
    @discardableResult
    func wake(_ lock: InterpreterLock) -> Bool {
        let woke = state.withLock { s -> Bool in
            guard case .waiting = s else { return false }
            s = .woken(lock.reserve())
            return true
        }
        if woke { semaphore.signal() }
        return woke
    }

    /// Releases the interpreter lock and blocks until woken, then holds the lock again. Throws
    /// `PyInterrupt` when the context is interrupted (Ctrl-C, or its statement cancelled) first.
    func wait(_ ctx: ExecContext) throws {
        let lock = ctx.interpreter.lock
        lock.release()
        while semaphore.wait(timeout: .now() + .milliseconds(50)) == .timedOut {
            guard ctx.cancel.isCancelled else { continue }
            let ticket = state.withLock { s -> InterpreterLock.Ticket? in
                if case .woken(let t) = s { return t }
                s = .abandoned
                return nil
            }
            if let ticket { lock.acquire(ticket) } else { lock.acquire() }
            throw PyInterrupt()
        }
        guard case .woken(let ticket) = state.withLock({ $0 }) else {
            lock.acquire()
            return
        }
        lock.acquire(ticket)
    }
}

/// Wakes sleeping coroutines (`asyncio.sleep`) in deadline order, from one timer thread, so
/// tasks whose sleeps end together resume in the order they began sleeping, as in asyncio.
final class TimerService: Sendable {
    private struct Entry {
        let deadline: DispatchTime
        let sequence: Int
        let wakeup: Wakeup
        let lock: InterpreterLock
    }
    private struct State {
        var entries: [Entry] = []
        var sequence = 0
        var started = false
    }
    private let state = Guarded(State())
    private let changed = DispatchSemaphore(value: 0)

    static let shared = TimerService()

    /// Wakes `wakeup` (queueing it on `lock`) once `deadline` has passed.
    func schedule(_ wakeup: Wakeup, at deadline: DispatchTime, lock: InterpreterLock) {
        let startThread = state.withLock { s -> Bool in
            s.sequence += 1
            s.entries.append(Entry(deadline: deadline, sequence: s.sequence, wakeup: wakeup, lock: lock))
            defer { s.started = true }
            return !s.started
        }
        if startThread {
            let thread = Thread { [self] in run() }
            thread.name = "python-timers"
            thread.start()
        }
        changed.signal()
    }

    private static func earlier(_ a: Entry, _ b: Entry) -> Bool {
        a.deadline != b.deadline ? a.deadline < b.deadline : a.sequence < b.sequence
    }

    /// How long a due sleeper waits for its interpreter to be between steps before it is woken
    /// anyway (a statement that computes without awaiting must not starve a sleeping job).
    static let grace: DispatchTimeInterval = .milliseconds(200)

    private func run() {
        var waitingForIdle = false
        while true {
            let next = state.withLock { s -> DispatchTime? in s.entries.min(by: Self.earlier)?.deadline }
            // Due sleepers wait for their interpreter to settle: look again shortly.
            let until = waitingForIdle ? min(next ?? .distantFuture, .now() + .milliseconds(1)) : (next ?? .distantFuture)
            _ = changed.wait(timeout: until)
            let now = DispatchTime.now()
            // As asyncio runs due timers only once its ready queue is empty, a due sleeper is
            // woken when nothing runs or waits to run on its interpreter: every task made ready
            // before has reached its next await, so its own sleep is in the queue by deadline.
            let (due, held) = state.withLock { s -> ([Entry], Bool) in
                var idle: [ObjectIdentifier: Bool] = [:]
                func ready(_ e: Entry) -> Bool {
                    guard e.deadline <= now else { return false }
                    if now >= e.deadline + Self.grace { return true }
                    let key = ObjectIdentifier(e.lock)
                    if let known = idle[key] { return known }
                    let isIdle = e.lock.isIdle
                    idle[key] = isIdle
                    return isIdle
                }
                let wake = s.entries.filter(ready)
                s.entries.removeAll(where: ready)
                return (wake.sorted(by: Self.earlier), s.entries.contains { $0.deadline <= now })
            }
            waitingForIdle = held
            for e in due { e.wakeup.wake(e.lock) }
        }
    }
}

extension ExecContext {
    /// Blocks this coroutine at an `await` until `register`'s wakeup is woken. A pending
    /// `task.cancel()` of the running task raises `CancelledError` here instead, as asyncio
    /// raises it at the task's next suspension point.
    func suspend(_ register: (Wakeup) throws -> Void) throws {
        try raisePendingCancellation()
        let wakeup = Wakeup()
        try register(wakeup)
        task?.blockedOn = wakeup
        defer { task?.blockedOn = nil }
        try wakeup.wait(self)
        try raisePendingCancellation()
    }

    /// `await asyncio.sleep(0)`: lets every coroutine that is ready run first.
    func yieldToOthers() throws {
        try raisePendingCancellation()
        let lock = interpreter.lock
        let ticket = lock.reserve()
        lock.release()
        lock.acquire(ticket)
        if cancel.isCancelled { throw PyInterrupt() }
        try raisePendingCancellation()
    }

    /// `await asyncio.sleep(seconds)`.
    func asyncSleep(_ seconds: Double) throws {
        if seconds <= 0 { return try yieldToOthers() }
        let deadline = interpreter.lock.loopTime + .nanoseconds(waitNanoseconds(seconds))
        try suspend { wakeup in TimerService.shared.schedule(wakeup, at: deadline, lock: interpreter.lock) }
    }

    /// Throws `CancelledError` if the running task has a cancellation request not yet delivered.
    func raisePendingCancellation() throws {
        if let task, task.takeCancellationRequest() {
            throw PyError(PyExceptionObject(cls: Builtins.cancelledErrorType))
        }
    }
}
