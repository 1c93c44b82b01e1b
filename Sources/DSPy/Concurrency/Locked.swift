import Foundation

/// A value guarded by a lock: `withLock` gives exclusive access. It is built on a pthread
/// mutex (through `NSLock`) rather than `Synchronization.Mutex`, because on Linux the latter
/// waits in futex code the thread sanitizer cannot see, which makes contended sections look
/// like races there.
package final class Locked<State>: @unchecked Sendable {
    // Sendable proof: `state` is only read or written inside `withLock`, while holding `lock`.
    private var state: State
    private let lock = NSLock()

    package init(_ initial: State) { state = initial }

    /// Runs `body` with exclusive access to the value.
    @inline(__always)
    package func withLock<R>(_ body: (inout State) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&state)
    }
}
