/// An error the library explains: one line that says what happened, hints that say what to do,
/// and a stable code to match on. Front ends render the parts (the shell prints `error:` and
/// `hint:` lines in its own spellings) instead of taking the description apart.
public protocol DSPyError: Error, CustomStringConvertible, Sendable {
    /// What happened, in one line (the model in brackets when there is one).
    var summary: String { get }
    /// What to do about it; may be empty.
    var hints: [String] { get }
    /// A stable name for the failure (`rateLimit`, `cassetteMiss`, `tokenBudgetExceeded`).
    var code: String { get }
}

extension DSPyError {
    /// The summary, then each hint on a `hint:` line.
    public var description: String {
        ([summary] + hints.map { "hint: \($0)" }).joined(separator: "\n")
    }
}
