/// A failed LM call, with what happened and what to do about it. Mirrors DSPy's `LMError`
/// hierarchy as one type with a ``Kind``.
public struct LMError: Error, Sendable {
    public enum Kind: String, Sendable, Hashable {
        /// 401/403: the key is missing, wrong or lacks access.
        case authentication
        /// 402: the account cannot pay for the call.
        case billing
        /// 429: too many requests.
        case rateLimit
        /// No answer in time.
        case timeout
        /// 5xx from the provider.
        case server
        /// 404: the model (or endpoint) does not exist there.
        case notFound
        /// Other 4xx: the request was rejected.
        case invalidRequest
        /// The prompt does not fit the model's context window.
        case contextWindowExceeded
        /// The server answered with something that is not a valid completion.
        case badResponse
        /// Nothing listens at the address.
        case connectionRefused
        /// The server's host name has no address (a typo, or no DNS here); not retried.
        case hostNotFound
        /// The connection broke or could not be made.
        case transport
        /// The LM is misconfigured (unknown provider, bad knob).
        case configuration
        /// A streamed response broke after part of it had been delivered; it is not retried,
        /// because the delivered pieces cannot be taken back.
        case streamInterrupted
    }

    public var kind: Kind
    public var message: String
    public var model: String?
    public var status: Int?
    public var requestID: String?
    /// Seconds the server asked us to wait (`Retry-After`), 0 to `Duration.maximumSeconds`;
    /// `nil` when it sent none, or a value that is neither a number nor an HTTP date.
    public var retryAfter: Double?
    /// What to do about it, when there is something to say.
    public var hint: String?
    /// Attempts made before giving up (retries included).
    public var attempts = 1

    public init(
        _ kind: Kind, _ message: String, model: String? = nil, status: Int? = nil,
        requestID: String? = nil, retryAfter: Double? = nil, hint: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.model = model
        self.status = status
        self.requestID = requestID
        self.retryAfter = retryAfter
        self.hint = hint
    }

    /// Worth another try: rate limits, timeouts, 5xx and broken connections (DSPy's
    /// `is_retryable_lm_error`).
    public var isRetryable: Bool {
        switch kind {
        case .rateLimit, .timeout, .server, .transport: return true
        default: return false
        }
    }

    /// A reply that holds no usable completion (`what` says how, e.g. "has an empty choice
    /// list"); never cached, so calling again asks the server again.
    static func noCompletion(_ what: String, model: String?) -> LMError {
        LMError(
            .badResponse, "The reply \(what).", model: model,
            hint: "The server answered without a usable completion; check its logs. Nothing was cached, so calling again asks it again.")
    }

}

extension LMError: DSPyError {
    public var summary: String {
        var s = model.map { "[\($0)] " } ?? ""
        s += message
        if attempts > 1 { s += " (gave up after \(attempts) attempts)" }
        return s
    }

    public var hints: [String] { hint.map { [$0] } ?? [] }

    public var code: String { kind.rawValue }
}
