/// Counts the LM calls made under it, how many the response cache answered, and (into
/// ``usage``) their tokens: a front end opens one around a piece of work (the shell, around a
/// statement, to mark an answer that came from the cache and to total the session's tokens).
/// It follows the work into child tasks and, through ``SettingsSnapshot``, onto threads.
public final class CallTally: Sendable {
    /// The tally calls are counted in, if any.
    @TaskLocal public static var current: CallTally?

    // Locked, not Synchronization.Mutex: the thread sanitizer cannot see the latter's waits.
    private let counts = Locked((calls: 0, cacheHits: 0))
    /// Where the tokens of the counted calls are added as well (a session's total).
    public let usage: UsageTracker?

    public init(usage: UsageTracker? = nil) {
        self.usage = usage
    }

    /// Calls counted so far.
    public var calls: Int { counts.withLock { $0.calls } }
    /// Of those, the ones the response cache answered.
    public var cacheHits: Int { counts.withLock { $0.cacheHits } }

    func record(model: String, response: LMResponse) {
        counts.withLock {
            $0.calls += 1
            if response.cacheHit { $0.cacheHits += 1 }
        }
        if !response.cacheHit, let tokens = response.usage { usage?.add(model: model, usage: tokens) }
    }
}
