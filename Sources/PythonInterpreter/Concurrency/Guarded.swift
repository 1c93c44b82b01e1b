import Dispatch
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A value behind a pthread mutex: `withLock` gives exclusive access. Not
/// `Synchronization.Mutex`, which on Linux waits in futex code the thread sanitizer cannot see
/// (so every hand-over through it would look like a race there).
final class Guarded<State>: @unchecked Sendable {
    // Sendable proof: `state` is only read or written inside `withLock`, holding `mutex`.
    private var state: State
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init(_ initial: State) {
        state = initial
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    @inline(__always)
    func withLock<R>(_ body: (inout State) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&state)
    }
}

/// A semaphore whose signal-then-wait hand-over the thread sanitizer can see: a
/// `DispatchSemaphore` waits in futex code it does not model, so what one side wrote before
/// `signal()` would look unordered with what the other reads after `wait()`. A pthread mutex
/// taken on both sides orders them.
final class Handoff: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let order = Guarded(())

    func signal() {
        order.withLock { _ in }
        semaphore.signal()
    }

    func wait() {
        semaphore.wait()
        order.withLock { _ in }
    }
}
