import Synchronization

/// Counts the LM calls made under it, and how many the response cache answered: a front end
/// opens one around a piece of work (the shell, around a statement, to mark an answer that came
/// from the cache). It follows the work into child tasks and, through ``SettingsSnapshot``,
/// onto threads.
public final class CallTally: Sendable {
    /// The tally calls are counted in, if any.
    @TaskLocal public static var current: CallTally?

    private let counts = Mutex((calls: 0, cacheHits: 0))

    public init() {}

    /// Calls counted so far.
    public var calls: Int { counts.withLock { $0.calls } }
    /// Of those, the ones the response cache answered.
    public var cacheHits: Int { counts.withLock { $0.cacheHits } }

    func record(cacheHit: Bool) {
        counts.withLock {
            $0.calls += 1
            if cacheHit { $0.cacheHits += 1 }
        }
    }
}
