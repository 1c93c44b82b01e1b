/// The time the library waits on: retry backoff, `Retry-After` pauses, request-rate waits and
/// the straggler timer of `Parallel`. The default is the system's monotonic clock; tests set a
/// manual clock with the `clock` setting, so that waits take no wall time and can be stepped.
public protocol WaitClock: Sendable {
    /// This clock's time since its own fixed origin.
    var now: Duration { get }
    /// Returns once `duration` of this clock's time has passed; throws `CancellationError`
    /// when the waiting task is cancelled.
    func sleep(for duration: Duration) async throws
}

/// The system's monotonic clock (`ContinuousClock`): real time.
public struct SystemClock: WaitClock {
    private static let origin = ContinuousClock.now

    public init() {}

    public var now: Duration { ContinuousClock.now - SystemClock.origin }

    public func sleep(for duration: Duration) async throws {
        try await Task.sleep(for: duration.clampedForWaiting)  // a Duration built in code may exceed what clocks hold
    }
}

extension SettingKey where Value == any WaitClock {
    /// The clock every wait of the library runs on (`clock`, not a DSPy key; default: the
    /// system's). Set it before calls start: a wait already running keeps the clock it began on.
    public static var clock: SettingKey {
        SettingKey(
            "clock", summary: "the clock retries, Retry-After pauses, rate limits and stragglers wait on (not a DSPy key)",
            default: { SystemClock() }, listed: false, check: .instance(of: (any WaitClock).self, "a WaitClock", optional: false))
    }
}

extension Settings {
    /// The clock the library's waits run on (`clock`).
    public var clock: any WaitClock { self[.clock] }
}
