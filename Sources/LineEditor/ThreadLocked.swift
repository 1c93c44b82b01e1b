#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A value guarded by a pthread mutex: `withLock` gives exclusive access. Not
/// `Synchronization.Mutex`, whose waits on Linux are futex code the thread sanitizer cannot
/// see, so that contended sections are reported as races (DSPy's `Locked` is built on a
/// pthread mutex for the same reason; this module does not depend on DSPy).
final class ThreadLocked<State>: @unchecked Sendable {
    // Sendable proof: `state` is read and written only inside `withLock`, holding `mutex`.
    private var state: State
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init(_ initial: State) {
        state = initial
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<R>(_ body: (inout State) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&state)
    }
}
