// Checked conversions of numbers that come from users, files and servers. Every Double that
// becomes a Duration or an Int on input goes through here, so none of them can trap: an
// argument out of range is an `ArgumentRangeError` naming the argument and its range, and a
// value a server sent is clamped.

/// A number given for a named argument is outside the range the library accepts (or is not a
/// number at all: `nan`, `inf`).
public struct ArgumentRangeError: Error, CustomStringConvertible, Sendable, Hashable {
    /// The argument as the caller knows it (`timeout`, `n`, `requests_per_second`).
    public let argument: String
    /// The value as given, in Python's notation (`1e+300`, `inf`, `nan`).
    public let value: String
    /// The accepted range in words (`from 0 to 1000000000 seconds`).
    public let range: String

    public init(argument: String, value: String, range: String) {
        self.argument = argument
        self.value = value
        self.range = range
    }

    public var description: String { "\(argument) must be \(range), got \(value)" }
}

extension Duration {
    /// The longest wait or timeout the library accepts: 10⁹ seconds (about 31 years), far
    /// beyond any real call yet small enough for every clock and timer to represent.
    public static let maximumSeconds: Double = 1_000_000_000

    /// A duration of `seconds` given for `argument`; throws ``ArgumentRangeError`` (naming the
    /// argument and `range`) for `nan`, infinities and values outside `range`.
    public init(
        checkedSeconds seconds: Double, argument: String,
        range: ClosedRange<Double> = 0...Duration.maximumSeconds
    ) throws(ArgumentRangeError) {
        let bounds = range.clamped(to: -Duration.maximumSeconds...Duration.maximumSeconds)
        guard seconds.isFinite, bounds.contains(seconds) else {
            throw ArgumentRangeError(
                argument: argument, value: PythonFloat.repr(seconds),
                range: "a number of seconds from \(Duration.wordsForSeconds(bounds.lowerBound)) to \(Duration.wordsForSeconds(bounds.upperBound))")
        }
        self = Duration.fromSeconds(seconds)
    }

    /// `duration` if it lies in `range` (in seconds); throws ``ArgumentRangeError`` naming
    /// `argument` otherwise. For durations given in code (``LM``'s `timeout`).
    public static func checked(
        _ duration: Duration, argument: String,
        range: ClosedRange<Double> = 0...Duration.maximumSeconds
    ) throws(ArgumentRangeError) -> Duration {
        // Duration / Duration is exact enough and never traps, unlike `components` of a huge value.
        _ = try Duration(checkedSeconds: duration / .seconds(1), argument: argument, range: range)
        return duration
    }

    /// `seconds` as a duration, clamped into `range` (`nan` becomes the lower bound). For values
    /// the library does not control (a server's `Retry-After`, a stored duration).
    static func clamping(seconds: Double, to range: ClosedRange<Double> = 0...Duration.maximumSeconds) -> Duration {
        let bounds = range.clamped(to: -Duration.maximumSeconds...Duration.maximumSeconds)
        guard !seconds.isNaN else { return fromSeconds(bounds.lowerBound) }
        return fromSeconds(min(max(seconds, bounds.lowerBound), bounds.upperBound))
    }

    /// Whole nanoseconds and the rest, so no Double ever goes through Int128 conversion.
    private static func fromSeconds(_ seconds: Double) -> Duration {
        let whole = seconds.rounded(.towardZero)
        let nanos = ((seconds - whole) * 1e9).rounded()
        return .seconds(Int64(whole)) + .nanoseconds(Int64(nanos))
    }

    /// This duration bounded to 0...`maximumSeconds`: what a timer, a deadline or a sleep may
    /// be given. Durations a caller built in code (`.seconds(Int64.max)`) can exceed what the
    /// clocks represent.
    var clampedForWaiting: Duration {
        let limit = Duration.seconds(Int64(Duration.maximumSeconds))
        if self > limit { return limit }
        if self < .zero { return .zero }
        return self
    }

    /// Seconds as a Double, for messages, rates and the call log (of ``clampedForWaiting``).
    var timeInterval: Double {
        let c = clampedForWaiting.components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }

    /// Nanoseconds of ``clampedForWaiting`` (never overflows).
    var nanoseconds: Int64 {
        let c = clampedForWaiting.components
        return c.seconds * 1_000_000_000 + c.attoseconds / 1_000_000_000
    }

    private static func wordsForSeconds(_ s: Double) -> String {
        s == s.rounded() && abs(s) < 1e15 ? String(Int64(s)) : PythonFloat.repr(s)
    }
}

extension Int {
    /// `value` as an integer for `argument`; throws ``ArgumentRangeError`` for `nan`,
    /// infinities, fractions and values outside `range`.
    public init(checked value: Double, argument: String, range: ClosedRange<Int>) throws(ArgumentRangeError) {
        guard value.isFinite, value == value.rounded(), value >= Double(range.lowerBound), value <= Double(range.upperBound),
            let exact = Int(exactly: value), range.contains(exact)
        else {
            throw ArgumentRangeError(argument: argument, value: PythonFloat.repr(value), range: Int.words(range))
        }
        self = exact
    }

    /// `value` for `argument` if it lies in `range`; throws ``ArgumentRangeError`` otherwise.
    public static func checked(_ value: Int, argument: String, range: ClosedRange<Int>) throws(ArgumentRangeError) -> Int {
        guard range.contains(value) else { throw ArgumentRangeError(argument: argument, value: String(value), range: words(range)) }
        return value
    }

    static func words(_ range: ClosedRange<Int>) -> String {
        if range.upperBound == .max { return "an integer of at least \(range.lowerBound)" }
        return "an integer from \(range.lowerBound) to \(range.upperBound)"
    }
}
