/// A cap on the tokens LM calls may spend inside a scope (the `max_tokens_budget` setting).
///
/// `context(extra: ["max_tokens_budget": 5_000]) { ... }` gives the scope a fresh budget; every
/// call made inside it — nested modules, `Parallel` workers and `asyncify` threads included —
/// charges it, and once it is spent further calls fail with a ``TokenBudgetExceeded`` error
/// before anything is sent. A budget opened inside another charges both, so an inner scope can
/// never spend more than the outer one allows. Cache hits are free and always allowed.
///
/// Calls already in flight when the budget runs out still finish and are charged, so a parallel
/// run can overshoot by what its workers had in flight.
public final class TokenBudget: Sendable, CustomStringConvertible {
    /// The most tokens this scope may spend.
    public let limit: Int
    /// The enclosing scope's budget, which every charge also reaches.
    public let parent: TokenBudget?
    private let spentTokens = Locked(0)

    public init(limit: Int, parent: TokenBudget? = nil) {
        self.limit = max(0, limit)
        self.parent = parent
    }

    /// Tokens charged so far (prompt + completion, as the provider reported them).
    public var spent: Int { spentTokens.withLock { $0 } }

    /// Tokens left before calls are refused (never negative).
    public var remaining: Int { max(0, limit - spent) }

    /// Records `tokens` here and in every enclosing budget.
    public func charge(_ tokens: Int) {
        guard tokens > 0 else { return }
        spentTokens.withLock { $0 += tokens }
        parent?.charge(tokens)
    }

    /// Throws when this budget or an enclosing one is spent.
    public func checkAvailable(model: String) throws {
        var budget: TokenBudget? = self
        var depth = 0
        while let b = budget {
            let used = b.spent
            if used >= b.limit { throw TokenBudgetExceeded(model: model, limit: b.limit, spent: used, outerLevels: depth) }
            budget = b.parent
            depth += 1
        }
    }

    public var description: String { "\(limit) (spent \(spent), \(remaining) left)" }

}

/// A call was refused because its scope's token budget (`max_tokens_budget`) is spent.
public struct TokenBudgetExceeded: DSPyError {
    public let model: String
    public let limit: Int
    public let spent: Int
    /// 0 when the innermost budget ran out, 1 for the one around it, and so on.
    public let outerLevels: Int

    public var summary: String {
        let which = outerLevels == 0 ? "this scope's" : "an enclosing scope's"
        return "[\(model)] Token budget exhausted: \(which) max_tokens_budget is \(limit) and \(spent) tokens are spent, so the call was not sent."
    }

    public var hints: [String] { ["raise max_tokens_budget for the scope, or run the call outside it; cached answers are still served."] }

    public var code: String { "tokenBudgetExceeded" }
}

extension SettingKey where Value == TokenBudget? {
    /// Tokens the calls in a scope may spend (`max_tokens_budget`, not a DSPy key): set it to a
    /// limit with `.tokenBudget(limit: 5000)`; each scope opens a budget inside the enclosing one.
    public static var tokenBudget: SettingKey {
        SettingKey(
            "max_tokens_budget", summary: "tokens the calls in a scope may spend; then TokenBudgetExceeded (not a DSPy key)",
            default: { nil }, listed: false,
            check: SettingCheck { v, key in
                if v is TokenBudget || v is NoneSetting { return v }
                return try SettingCheck.integer(in: 0...Int.max, "a whole number of tokens, 0 or more").run(v, key)
            },
            opening: { v, enclosing in
                guard let limit = v as? Int else { return v }
                return TokenBudget(limit: limit, parent: enclosing?.tokenBudget)
            })
    }

    /// The key with a limit: a scope gets a new budget of `limit` tokens inside the enclosing one.
    public func callAsFunction(limit: Int) -> SettingKey { assigning(raw: limit) }
}

extension Settings {
    /// The token budget of the current scope (`max_tokens_budget`), if one is set.
    public var tokenBudget: TokenBudget? { self[.tokenBudget] }
}
