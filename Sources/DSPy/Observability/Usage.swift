import Synchronization

/// Tokens spent by LM calls. Cache hits count zero.
public struct TokenUsage: Sendable, Hashable, CustomStringConvertible {
    public var promptTokens: Int
    public var completionTokens: Int
    public var totalTokens: Int
    /// Prompt tokens the provider served from its own prompt cache.
    public var cachedTokens: Int

    public init(promptTokens: Int = 0, completionTokens: Int = 0, totalTokens: Int? = nil, cachedTokens: Int = 0) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = totalTokens ?? (promptTokens + completionTokens)
        self.cachedTokens = cachedTokens
    }

    public static let zero = TokenUsage()

    public static func + (a: TokenUsage, b: TokenUsage) -> TokenUsage {
        TokenUsage(
            promptTokens: a.promptTokens + b.promptTokens, completionTokens: a.completionTokens + b.completionTokens,
            totalTokens: a.totalTokens + b.totalTokens, cachedTokens: a.cachedTokens + b.cachedTokens)
    }

    public static func += (a: inout TokenUsage, b: TokenUsage) { a = a + b }

    /// DSPy's usage dictionary: `prompt_tokens`, `completion_tokens`, `total_tokens`, then
    /// `prompt_tokens_details` (cached tokens, or None) and `completion_tokens_details` (None),
    /// as DSPy 3.4.1 reports them.
    public var value: Value {
        [
            "prompt_tokens": .int(promptTokens), "completion_tokens": .int(completionTokens), "total_tokens": .int(totalTokens),
            "prompt_tokens_details": cachedTokens > 0 ? ["cached_tokens": .int(cachedTokens)] : .null,
            "completion_tokens_details": .null,
        ]
    }

    public var description: String { value.pythonRepr }
}

/// Collects token usage per model. A tracker made with a `parent` also adds everything it
/// records to the parent, so usage in nested modules and parallel workers rolls up to the top.
public final class UsageTracker: Sendable {
    public let parent: UsageTracker?
    private let totalsByModel = Locked<[String: TokenUsage]>([:])

    public init(parent: UsageTracker? = nil) { self.parent = parent }

    /// Records one call's usage for `model` (and in every ancestor tracker).
    public func add(model: String, usage: TokenUsage) {
        totalsByModel.withLock { $0[model, default: .zero] += usage }
        parent?.add(model: model, usage: usage)
    }

    /// Usage per model recorded so far (DSPy's `get_total_tokens()`).
    public var totals: [String: TokenUsage] { totalsByModel.withLock { $0 } }
}

/// Runs `body` with a fresh tracker installed (DSPy's `with dspy.track_usage() as tracker`), and
/// returns the body's result together with the tracker. The tracker reports into any tracker
/// already active, so outer totals include this block.
public func trackUsage<R>(isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> R) async rethrows -> (R, UsageTracker) {
    let tracker = UsageTracker(parent: Settings.current.usageTracker)
    let r = try await Settings.current.withOverrides(["usage_tracker": tracker], isolation: isolation, body)
    return (r, tracker)
}

extension SettingKey where Value == Bool {
    /// Attach token usage to predictions (`track_usage`).
    public static var trackUsage: SettingKey {
        SettingKey("track_usage", summary: "True: each Prediction carries its token usage (get_lm_usage())", default: { false }, check: .boolean)
    }
}

extension SettingKey where Value == UsageTracker? {
    /// The active usage tracker (`usage_tracker`), opened by ``trackUsage(isolation:_:)``.
    public static var usageTracker: SettingKey {
        SettingKey(
            "usage_tracker", summary: "the tracker that collects token usage (track_usage() opens one)",
            default: { nil }, check: .instance(of: UsageTracker.self, "a usage tracker"))
    }
}

extension Settings {
    /// Attach token usage to predictions (`track_usage`).
    public var trackUsage: Bool { self[.trackUsage] }
    /// The active usage tracker (`usage_tracker`).
    public var usageTracker: UsageTracker? { self[.usageTracker] }
}
