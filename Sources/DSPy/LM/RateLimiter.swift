import Synchronization

/// Limits on how hard one LM's server is hit, shared by every caller of that LM (sequential,
/// async, `Parallel` and `asyncify` alike) and by its copies.
public struct RateLimit: Sendable, Hashable {
    /// Requests in flight at once; `nil` for no cap of your own (an HTTP LM still keeps to
    /// its 1 024 connections per server).
    public var maxConcurrentRequests: Int?
    /// Requests started per second (token bucket, bursts up to one second's worth); `nil` for no cap.
    public var requestsPerSecond: Double?

    public init(maxConcurrentRequests: Int? = nil, requestsPerSecond: Double? = nil) {
        self.maxConcurrentRequests = maxConcurrentRequests
        self.requestsPerSecond = requestsPerSecond
    }

    public static let unlimited = RateLimit()

    /// The request rates the library accepts: from one request per 1 000 seconds to a million
    /// per second.
    public static let requestsPerSecondRange: ClosedRange<Double> = 0.001...1_000_000

    /// This limit, or an ``ArgumentRangeError`` naming `max_concurrent_requests` or
    /// `requests_per_second` when one is out of range (``LM`` checks its limit with this).
    public func validated() throws(ArgumentRangeError) -> RateLimit {
        if let n = maxConcurrentRequests { _ = try Int.checked(n, argument: "max_concurrent_requests", range: 1...Int.max) }
        if let rps = requestsPerSecond, !(rps.isFinite && RateLimit.requestsPerSecondRange.contains(rps)) {
            let r = RateLimit.requestsPerSecondRange
            throw ArgumentRangeError(
                argument: "requests_per_second", value: PythonFloat.repr(rps),
                range: "a number of requests per second from \(PythonFloat.repr(r.lowerBound)) to \(Int(r.upperBound))")
        }
        return self
    }

    /// An HTTP LM never has more requests in flight than the client keeps connections per server
    /// (1 024); with no smaller cap set, calls beyond that wait in the LM's own queue. 10 000
    /// concurrent calls then peak at ~235 MB instead of ~410 MB (`dspy-bench scenario async10k`).
    var cappedForHTTP: RateLimit {
        var capped = self
        capped.maxConcurrentRequests = min(maxConcurrentRequests ?? .max, HTTPTransport.maxConnectionsPerHost)
        return capped
    }
}

/// The gate every request of an LM passes: the concurrency cap, the request rate, and a pause
/// that a 429 with `Retry-After` puts on the whole queue so workers do not hammer the server.
final class RequestGate: Sendable {
    let limit: RateLimit
    private let concurrency: AsyncSemaphore?
    private struct State {
        // Times on the clock of the waits (``WaitClock/now``).
        var pausedUntil: Duration?
        var tokens: Double
        var lastRefill: Duration?
    }
    private let state: Locked<State>

    /// The request rate in force: ``RateLimit/requestsPerSecond`` clamped into
    /// ``RateLimit/requestsPerSecondRange`` (an LM built on a custom backend is not checked).
    private let rate: Double?

    init(_ limit: RateLimit) {
        self.limit = limit
        rate = limit.requestsPerSecond.map { rps in
            let r = RateLimit.requestsPerSecondRange
            return rps.isNaN ? r.lowerBound : min(max(rps, r.lowerBound), r.upperBound)
        }
        concurrency = limit.maxConcurrentRequests.map { AsyncSemaphore(capacity: max(1, $0)) }
        let burst = max(1, rate ?? 1)
        state = Locked(State(pausedUntil: nil, tokens: burst, lastRefill: nil))
    }

    /// Stops every caller from starting requests for `duration` (extends, never shortens, a pause).
    func pause(for duration: Duration, clock: any WaitClock) {
        let until = clock.now + duration.clampedForWaiting
        state.withLock { s in
            if s.pausedUntil.map({ $0 < until }) ?? true { s.pausedUntil = until }
        }
    }

    /// Runs `body` once the gate lets this request through.
    func pass<R>(clock: any WaitClock, _ body: () async throws -> R) async throws -> R {
        if let concurrency { try await concurrency.acquire() }
        defer { concurrency?.release() }
        try await waitForTurn(clock)
        return try await body()
    }

    /// True when a request may start now without waiting: no concurrency limit, no pause, and a
    /// token (one is taken). The common case, which then needs no frame for ``pass(clock:_:)``.
    func admitsNow(clock: any WaitClock) -> Bool {
        concurrency == nil && nextWait(clock) == nil
    }

    private func waitForTurn(_ clock: any WaitClock) async throws {
        while let wait = nextWait(clock) { try await clock.sleep(for: wait) }
    }

    /// How long this request must wait for its turn; nil: it may go now (its token is taken).
    private func nextWait(_ clock: any WaitClock) -> Duration? {
        state.withLock { s in
            let now = clock.now
            if let until = s.pausedUntil {
                if until > now { return until - now }
                s.pausedUntil = nil
            }
            guard let rps = rate else { return nil }
            let elapsed = s.lastRefill.map { now - $0 } ?? .zero
            s.tokens = min(max(1, rps), s.tokens + elapsed.timeInterval * rps)
            s.lastRefill = now
            if s.tokens >= 1 {
                s.tokens -= 1
                return nil
            }
            return Duration.clamping(seconds: (1 - s.tokens) / rps)
        }
    }
}
