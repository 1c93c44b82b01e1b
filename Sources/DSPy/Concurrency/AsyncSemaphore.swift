import Synchronization

/// A counting semaphore for tasks: `acquire` suspends (without blocking a thread) until a
/// permit is free, and gives up with `CancellationError` when the waiting task is cancelled.
package final class AsyncSemaphore: Sendable {
    private struct Waiter {
        let id: UInt64
        let limit: Int
        let continuation: CheckedContinuation<Void, any Error>
    }
    private struct State {
        var capacity: Int
        var inUse = 0
        var waiters: [Waiter] = []
        var nextID: UInt64 = 0
    }
    private let state: Locked<State>

    package init(capacity: Int) {
        state = Locked(State(capacity: max(1, capacity)))
    }

    /// Permits held now.
    package var inUse: Int { state.withLock { $0.inUse } }

    /// Waits for a permit. Each successful `acquire` must be matched by one `release`.
    /// With `limit`, this caller is admitted only while fewer than `limit` permits are in use
    /// (a per-call capacity, read by the caller, that cannot loosen other callers' limits).
    package func acquire(limit: Int? = nil) async throws {
        try Task.checkCancellation()
        if state.withLock({ s -> Bool in
            guard s.inUse < min(s.capacity, limit ?? s.capacity), s.waiters.isEmpty else { return false }
            s.inUse += 1
            return true
        }) {
            return
        }
        let id = state.withLock { s -> UInt64 in
            s.nextID += 1; return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let resumeNow: Bool? = state.withLock { s in
                    if Task.isCancelled { return false }
                    if s.inUse < min(s.capacity, limit ?? s.capacity) && s.waiters.isEmpty {
                        s.inUse += 1
                        return true
                    }
                    s.waiters.append(Waiter(id: id, limit: limit ?? Int.max, continuation: c))
                    return nil
                }
                switch resumeNow {
                case true?: c.resume()
                case false?: c.resume(throwing: CancellationError())
                case nil: break
                }
            }
        } onCancel: {
            let cancelled = state.withLock { s -> Waiter? in
                guard let i = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return s.waiters.remove(at: i)
            }
            cancelled?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Returns a permit.
    package func release() {
        let ready = state.withLock { s -> [Waiter] in
            s.inUse = max(0, s.inUse - 1)
            return Self.admit(&s)
        }
        for w in ready { w.continuation.resume() }
    }

    private static func admit(_ s: inout State) -> [Waiter] {
        var ready: [Waiter] = []
        // Strict FIFO: the head waits for room under its own limit, so nobody starves.
        while let head = s.waiters.first, s.inUse < min(s.capacity, head.limit) {
            s.inUse += 1
            ready.append(s.waiters.removeFirst())
        }
        return ready
    }
}
