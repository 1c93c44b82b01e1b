import DSPy

/// A clock that moves only when a test advances it, for the library's waits (set it with the
/// `clock` setting). Tests wait on its events — a number of sleepers — never on wall time.
public final class ManualClock: WaitClock {
    private struct Sleeper {
        let id: Int
        let deadline: Duration
        let continuation: CheckedContinuation<Void, any Error>
    }
    private struct Watcher {
        let condition: @Sendable (Int) -> Bool
        let continuation: CheckedContinuation<Void, Never>
    }
    private struct State {
        var now: Duration = .zero
        var nextID = 0
        var sleepers: [Sleeper] = []
        var watchers: [Watcher] = []
        var requested: [Duration] = []
        var cancelledIDs: Set<Int> = []
    }
    private let state = Locked(State())

    public init() {}

    public var now: Duration { state.withLock { $0.now } }

    /// Every duration a wait asked for, in order.
    public var requested: [Duration] { state.withLock { $0.requested } }

    /// How many waits are pending.
    public var sleeping: Int { state.withLock { $0.sleepers.count } }

    public func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        let id = state.withLock { s -> Int in
            s.requested.append(duration)
            s.nextID += 1
            return s.nextID
        }
        guard duration > .zero else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let (cancelled, ready) = state.withLock { s -> (Bool, [CheckedContinuation<Void, Never>]) in
                    if s.cancelledIDs.remove(id) != nil { return (true, []) }
                    s.sleepers.append(Sleeper(id: id, deadline: s.now + duration, continuation: c))
                    return (false, Self.satisfiedWatchers(&s))
                }
                if cancelled { c.resume(throwing: CancellationError()) }
                for w in ready { w.resume() }
            }
        } onCancel: {
            let (sleeper, ready) = state.withLock { s -> (Sleeper?, [CheckedContinuation<Void, Never>]) in
                guard let i = s.sleepers.firstIndex(where: { $0.id == id }) else {
                    s.cancelledIDs.insert(id)
                    return (nil, [])
                }
                return (s.sleepers.remove(at: i), Self.satisfiedWatchers(&s))
            }
            sleeper?.continuation.resume(throwing: CancellationError())
            for w in ready { w.resume() }
        }
    }

    /// Moves the clock forward and wakes every wait whose time has come.
    public func advance(by duration: Duration) {
        let (due, ready) = state.withLock { s -> ([Sleeper], [CheckedContinuation<Void, Never>]) in
            s.now += duration
            let now = s.now
            let due = s.sleepers.filter { $0.deadline <= now }
            if !due.isEmpty { s.sleepers = s.sleepers.filter { $0.deadline > now } }
            return (due, Self.satisfiedWatchers(&s))
        }
        for sleeper in due { sleeper.continuation.resume() }
        for w in ready { w.resume() }
    }

    /// Returns once the number of pending waits satisfies `condition` (checked at once and on
    /// every change).
    public func waitUntilSleeping(_ condition: @escaping @Sendable (Int) -> Bool) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if condition(s.sleepers.count) { return true }
                s.watchers.append(Watcher(condition: condition, continuation: c))
                return false
            }
            if now { c.resume() }
        }
    }

    private static func satisfiedWatchers(_ s: inout State) -> [CheckedContinuation<Void, Never>] {
        let count = s.sleepers.count
        guard !s.watchers.isEmpty else { return [] }
        var ready: [CheckedContinuation<Void, Never>] = []
        var waiting: [Watcher] = []
        for w in s.watchers {
            if w.condition(count) { ready.append(w.continuation) } else { waiting.append(w) }
        }
        s.watchers = waiting
        return ready
    }
}
