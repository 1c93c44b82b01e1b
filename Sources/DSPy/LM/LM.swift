import Foundation
import OrderedCollections
import Synchronization

/// How failed calls are retried: exponential backoff from `initialBackoff`, doubling up to
/// `maxBackoff`, or the server's `Retry-After` when it sends one (capped at `maxRetryAfter`).
public struct RetryPolicy: Sendable, Hashable {
    public var initialBackoff: Duration
    public var maxBackoff: Duration
    public var maxRetryAfter: Duration

    public init(initialBackoff: Duration = .seconds(1), maxBackoff: Duration = .seconds(30), maxRetryAfter: Duration = .seconds(120)) {
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.maxRetryAfter = maxRetryAfter
    }

    /// The wait before retry number `attempt` (1-based): the server's `Retry-After` (seconds,
    /// any value) clamped to 0...`maxRetryAfter`, else the exponential backoff. Never traps,
    /// whatever the server sent or the policy holds.
    func delay(attempt: Int, retryAfter: Double?) -> Duration {
        if let retryAfter { return Duration.clamping(seconds: retryAfter, to: 0...maxRetryAfter.clampedForWaiting.timeInterval) }
        let factor = Int64(1) << Int64(min(max(attempt - 1, 0), 20))
        return min(initialBackoff.clampedForWaiting * factor, maxBackoff.clampedForWaiting)
    }
}

/// A language model: `LM("openai/gpt-4o-mini")`, `LM("anthropic/claude-3-5-haiku-latest")`,
/// `LM("ollama_chat/llama3.2")`, `LM("local/gemma-3-270m")` or the offline `LM("dummy")`.
///
/// Sampling knobs live on the LM, as in DSPy; `copy(temperature:maxTokens:parameters:)` makes a
/// variant. Calls are cached, retried, recorded in ``history`` and counted in the active
/// ``UsageTracker``.
public final class LM: Sendable, CustomStringConvertible {
    /// Where requests go, from the model string's prefix.
    public enum Provider: String, Sendable, Hashable, CaseIterable {
        case openai, anthropic, ollama, ollama_chat, local, dummy, custom

        /// The environment variable that holds this provider's API key, for the providers
        /// whose own API needs one.
        public var apiKeyVariable: String? {
            switch self {
            case .openai: return "OPENAI_API_KEY"
            case .anthropic: return "ANTHROPIC_API_KEY"
            default: return nil
            }
        }
    }

    /// The API key variable for a `provider/model` string (``Provider/apiKeyVariable``), or nil.
    package static func apiKeyVariable(forModel model: String) -> String? {
        (try? route(model))?.0.apiKeyVariable
    }

    /// The model as given (`openai/gpt-4o-mini`).
    public let model: String
    public let provider: Provider
    /// Default request parameters (`temperature`, `max_tokens`, ...); `null` values are not sent.
    public let kwargs: OrderedDictionary<String, Value>
    public let numRetries: Int
    public let cache: Bool
    /// Where this LM's responses are cached (``ResponseCache/shared`` unless given another).
    public let responseCache: ResponseCache
    public let timeout: Duration
    public let retryPolicy: RetryPolicy
    /// The server address for HTTP providers.
    public let apiBase: String?
    /// Handlers for this LM's calls, after the global ones.
    public let callbacks: [any Callback]
    let apiKey: String?
    /// Hides this LM's key (and the environment's provider keys) in everything its calls store
    /// or report.
    let redactor: Redactor
    /// The largest reply body an HTTP provider reads (``defaultMaxResponseBytes`` unless given).
    public let maxResponseBytes: Int
    let backend: any LMBackend
    /// Shared by this LM and its copies, so limits and 429 pauses apply to all their callers.
    let gate: RequestGate
    /// Limits on concurrent requests and request rate for this LM's server.
    public var rateLimit: RateLimit { gate.limit }
    private let historyStore = Locked<BoundedHistory>(BoundedHistory())

    /// The largest reply an HTTP LM reads unless told otherwise: 64 MB.
    public static let defaultMaxResponseBytes = 64 << 20

    /// Default address of each HTTP provider.
    public static func defaultAPIBase(for provider: Provider) -> String? {
        switch provider {
        case .openai: return "https://api.openai.com/v1"
        case .anthropic: return "https://api.anthropic.com/v1"
        case .ollama, .ollama_chat: return "http://localhost:11434/v1"
        case .local: return "http://127.0.0.1:8080/v1"
        case .dummy, .custom: return nil
        }
    }

    /// Creates an LM from DSPy's `provider/model` string.
    ///
    /// - Parameters:
    ///   - apiKey: defaults to `OPENAI_API_KEY` / `ANTHROPIC_API_KEY`; never printed or saved.
    ///   - apiBase: any OpenAI-compatible server (`http://127.0.0.1:8000/v1`).
    ///   - parameters: further request parameters (`top_p`, `stop`, `n`, ...).
    ///   - timeout: bounds each request: connecting, the reply's head, and every wait for more
    ///     of its body (in a stream, for the next event). 0 to `Duration.maximumSeconds`.
    ///   - maxResponseBytes: the largest reply body read from the server (default 64 MB).
    /// - Throws: ``LMError`` for an unknown provider, ``ArgumentRangeError`` for a knob out of range.
    public convenience init(
        _ model: String, temperature: Double? = nil, maxTokens: Int? = nil, apiBase: String? = nil,
        apiKey: String? = nil, numRetries: Int = 3, cache: Bool? = nil, timeout: Duration = .seconds(600),
        retryPolicy: RetryPolicy = RetryPolicy(), callbacks: [any Callback] = [],
        rateLimit: RateLimit = .unlimited, parameters: OrderedDictionary<String, Value> = [:],
        responseCache: ResponseCache = .shared, maxResponseBytes: Int = LM.defaultMaxResponseBytes
    ) throws {
        let trimmed = model.trimmingWhitespace()
        guard !trimmed.isEmpty else {
            throw LMError(.configuration, "The model name is empty.", hint: "Use a name like \"openai/gpt-4o-mini\" or \"dummy\".")
        }
        let (provider, modelName) = try LM.route(trimmed)
        guard numRetries >= 0 else { throw LMError(.configuration, "numRetries must be 0 or more, got \(numRetries).") }
        _ = try Duration.checked(timeout, argument: "timeout")
        _ = try rateLimit.validated()
        _ = try Int.checked(maxResponseBytes, argument: "max_response_bytes", range: 1...Int.max)
        if let n = parameters["n"], !n.isNull { _ = try LMRequest.checkedCompletions(n) }
        let env = ProcessInfo.processInfo.environment
        let key: String? = apiKey ?? provider.apiKeyVariable.flatMap { env[$0] }
        let envBase: String? = {
            switch provider {
            case .openai: return env["OPENAI_BASE_URL"] ?? env["OPENAI_API_BASE"]
            case .ollama, .ollama_chat: return env["OLLAMA_API_BASE"].map { $0.hasSuffix("/v1") ? $0 : $0 + "/v1" }
            case .local: return env["DSPY_LOCAL_LM_URL"]
            default: return nil
            }
        }()
        let base = apiBase ?? envBase ?? LM.defaultAPIBase(for: provider)
        let backend: any LMBackend
        switch provider {
        case .anthropic: backend = AnthropicBackend(apiBase: base ?? "", apiKey: key, maxResponseBytes: maxResponseBytes)
        case .dummy: backend = DummyBackend()
        default:
            backend = OpenAICompatibleBackend(apiBase: base ?? "", apiKey: key, providerName: provider.rawValue, maxResponseBytes: maxResponseBytes)
        }
        var kw: OrderedDictionary<String, Value> = [
            "temperature": temperature.map(Value.double) ?? .null, "max_tokens": maxTokens.map(Value.int) ?? .null,
        ]
        for (k, v) in parameters { kw[k] = v }
        self.init(
            model: trimmed, provider: provider, wireModel: modelName, kwargs: kw, apiBase: provider == .dummy ? nil : base,
            apiKey: key, numRetries: numRetries, cache: cache ?? (provider != .dummy), responseCache: responseCache, timeout: timeout,
            retryPolicy: retryPolicy, callbacks: callbacks, backend: backend, maxResponseBytes: maxResponseBytes,
            gate: RequestGate(provider == .dummy ? rateLimit : rateLimit.cappedForHTTP))
    }

    /// An LM on a backend of your own (a custom provider, or a scripted ``DummyBackend``).
    public convenience init(
        model: String, backend: any LMBackend, temperature: Double? = nil, maxTokens: Int? = nil,
        numRetries: Int = 3, cache: Bool = false, timeout: Duration = .seconds(600),
        retryPolicy: RetryPolicy = RetryPolicy(), callbacks: [any Callback] = [],
        rateLimit: RateLimit = .unlimited, parameters: OrderedDictionary<String, Value> = [:],
        responseCache: ResponseCache = .shared
    ) {
        var kw: OrderedDictionary<String, Value> = [
            "temperature": temperature.map(Value.double) ?? .null, "max_tokens": maxTokens.map(Value.int) ?? .null,
        ]
        for (k, v) in parameters { kw[k] = v }
        self.init(
            model: model, provider: backend is DummyBackend ? .dummy : .custom, wireModel: model, kwargs: kw, apiBase: nil,
            apiKey: nil, numRetries: numRetries, cache: cache, responseCache: responseCache, timeout: timeout, retryPolicy: retryPolicy,
            callbacks: callbacks, backend: backend, maxResponseBytes: LM.defaultMaxResponseBytes, gate: RequestGate(rateLimit))
    }

    /// An offline LM that replays `answers` (field values per call), like DSPy's `DummyLM`.
    public static func dummy(answers: [OrderedDictionary<String, Value>], latency: Duration = .zero) -> LM {
        LM(model: "dummy", backend: DummyBackend(answers: answers.map { .fields($0) }, latency: latency))
    }

    /// An offline LM that replays scripted replies (field values, raw text, or errors).
    public static func dummy(script: [DummyBackend.Answer], latency: Duration = .zero) -> LM {
        LM(model: "dummy", backend: DummyBackend(answers: script, latency: latency))
    }

    let wireModel: String

    /// The provider of a `provider/model` name and the model name sent to it.
    static func route(_ name: String) throws(LMError) -> (Provider, String) {
        if name == "dummy" || name.hasPrefix("dummy/") { return (.dummy, name) }
        guard let slash = name.firstIndex(of: "/") else { return (.openai, name) }  // LiteLLM's rule: a bare name is an OpenAI model
        let prefix = String(name[..<slash])
        guard let provider = Provider(rawValue: prefix), provider != .custom, provider != .dummy else {
            throw LMError(
                .configuration, "Unknown provider '\(prefix)' in '\(name)'.",
                hint:
                    "Use one of: openai/, anthropic/, ollama/, ollama_chat/, local/, or \"dummy\". Any OpenAI-compatible server works as openai/<model> with apiBase set to its address."
            )
        }
        return (provider, String(name[name.index(after: slash)...]))
    }

    private init(
        model: String, provider: Provider, wireModel: String, kwargs: OrderedDictionary<String, Value>, apiBase: String?,
        apiKey: String?, numRetries: Int, cache: Bool, responseCache: ResponseCache, timeout: Duration, retryPolicy: RetryPolicy,
        callbacks: [any Callback], backend: any LMBackend, maxResponseBytes: Int, gate: RequestGate
    ) {
        self.model = model
        self.provider = provider
        self.wireModel = wireModel
        self.kwargs = kwargs
        self.apiBase = apiBase
        self.apiKey = apiKey
        self.redactor = Redactor(secrets: [apiKey])
        self.maxResponseBytes = maxResponseBytes
        self.numRetries = numRetries
        self.cache = cache
        self.responseCache = responseCache
        self.timeout = timeout.clampedForWaiting
        self.retryPolicy = retryPolicy
        self.callbacks = callbacks
        self.backend = backend
        self.gate = gate
    }

    /// A copy with changed knobs and an empty history (DSPy's `lm.copy(...)`). A `null`
    /// parameter removes it.
    public func copy(
        temperature: Double? = nil, maxTokens: Int? = nil, parameters: OrderedDictionary<String, Value> = [:],
        cache: Bool? = nil, numRetries: Int? = nil, timeout: Duration? = nil
    ) -> LM {
        copy(
            model: model, wireModel: wireModel, temperature: temperature, maxTokens: maxTokens, parameters: parameters,
            cache: cache, numRetries: numRetries, timeout: timeout)
    }

    /// A copy for another model of the same provider, on the same server and key (DSPy's
    /// `lm.copy(model=...)`).
    /// - Throws: ``LMError`` when `model` names an unknown or a different provider (that needs
    ///   its own server and key: create a new LM).
    public func copy(
        model newModel: String, temperature: Double? = nil, maxTokens: Int? = nil,
        parameters: OrderedDictionary<String, Value> = [:], cache: Bool? = nil, numRetries: Int? = nil,
        timeout: Duration? = nil
    ) throws(LMError) -> LM {
        let trimmed = newModel.trimmingWhitespace()
        let (newProvider, newWireModel) = provider == .custom ? (.custom, trimmed) : try LM.route(trimmed)
        guard newProvider == provider else {
            throw LMError(
                .configuration,
                "lm.copy(model=\(Value.string(trimmed).pythonRepr)) changes the provider from \(provider.rawValue) to \(newProvider.rawValue).",
                hint: "A copy keeps its server and key; create a new LM for another provider: dspy.LM(\(Value.string(trimmed).pythonRepr), ...).")
        }
        return copy(
            model: trimmed, wireModel: newWireModel, temperature: temperature, maxTokens: maxTokens, parameters: parameters,
            cache: cache, numRetries: numRetries, timeout: timeout)
    }

    private func copy(
        model: String, wireModel: String, temperature: Double?, maxTokens: Int?, parameters: OrderedDictionary<String, Value>,
        cache: Bool?, numRetries: Int?, timeout: Duration?
    ) -> LM {
        var kw = kwargs
        if let temperature { kw["temperature"] = .double(temperature) }
        if let maxTokens { kw["max_tokens"] = .int(maxTokens) }
        for (k, v) in parameters { kw[k] = v }
        return LM(
            model: model, provider: provider, wireModel: wireModel, kwargs: kw, apiBase: apiBase, apiKey: apiKey,
            numRetries: numRetries ?? self.numRetries, cache: cache ?? self.cache, responseCache: responseCache, timeout: timeout ?? self.timeout,
            retryPolicy: retryPolicy, callbacks: callbacks, backend: backend, maxResponseBytes: maxResponseBytes, gate: gate)
    }

    /// True when an API key is available (the key itself is never exposed).
    public var hasAPIKey: Bool { !(apiKey ?? "").isEmpty }

    public var description: String {
        var parts = ["'\(model)'"]
        for (k, v) in kwargs where !v.isNull { parts.append("\(k)=\(v.pythonRepr)") }
        if let apiBase, provider == .openai ? apiBase != LM.defaultAPIBase(for: .openai) : false { parts.append("api_base='\(apiBase)'") }
        return "LM(" + parts.joined(separator: ", ") + ")"
    }

    // MARK: Calling

    /// Sends `messages` and returns each completion's text (DSPy's `lm(messages=...)`).
    public func callAsFunction(messages: [Message], _ parameters: OrderedDictionary<String, Value> = [:]) async throws -> [String] {
        try await call(messages: messages, parameters: parameters).outputs
    }

    /// Sends a single user prompt (DSPy's `lm("prompt")`).
    public func callAsFunction(_ prompt: String) async throws -> [String] {
        try await call(messages: [.user(prompt)], parameters: [:]).outputs
    }

    /// The full call: callbacks, cache, retries, usage and history around the backend.
    public func call(messages: [Message], parameters: OrderedDictionary<String, Value>) async throws -> LMResponse {
        let settings = Settings.current
        guard settings.callbacks.isEmpty && callbacks.isEmpty else {
            return try await callObserved(messages: messages, parameters: parameters, settings: settings)
        }
        // Every async frame on the way is held (in a slab of about 1 KB of the task's allocator)
        // for as long as the call waits, so the common path goes from here to the retry loop
        // without another frame, and this one has only two calls to wait on.
        let (request, useCache) = try prepare(messages: messages, parameters: parameters, settings: settings)
        let response =
            if let wire = try directWire(request, useCache: useCache, settings: settings) {
                try await attemptWithRetries(wire)
            } else {
                try await obtain(request, useCache: useCache, settings: settings, observed: false)
            }
        record(request: request, callParameters: parameters, response: response)
        return response
    }

    /// ``call(messages:parameters:)`` seen by callbacks.
    @inline(never)
    private func callObserved(messages: [Message], parameters: OrderedDictionary<String, Value>, settings: Settings) async throws -> LMResponse {
        try await CallbackRunner.run(
            handlers: settings.callbacks + callbacks,
            start: { cb, info in cb.onLMStart(info, lm: self, messages: messages, parameters: parameters) },
            end: { cb, info, result, error in cb.onLMEnd(info, outputs: result?.outputs, error: error) }
        ) {
            let (request, useCache) = try self.prepare(messages: messages, parameters: parameters, settings: settings)
            let response = try await self.obtain(request, useCache: useCache, settings: settings, observed: true)
            self.record(request: request, callParameters: parameters, response: response)
            return response
        }
    }

    /// The request as the backend gets it when nothing else takes the call: no call log, no
    /// cassette, no cache, no provider batch run collecting, one request. Nil otherwise.
    @inline(never)
    private func directWire(_ request: LMRequest, useCache: Bool, settings: Settings) throws -> LMRequest? {
        guard settings.callLog == nil, settings.cassette == nil, !(useCache && responseCache.isEnabled),
            ProviderBatchRun.current == nil || !(backend is any ProviderBatchable), requestCount(request) == 1
        else { return nil }
        return try wireRequest(request, budget: settings.tokenBudget, oneCompletionEach: !backend.completesManyAtOnce)
    }

    /// The reply through the call log, the cassette or the cache when they are on, else from the
    /// backend. `observed`: callbacks see this call (the call log records its id).
    @inline(never)
    private func obtain(_ request: LMRequest, useCache: Bool, settings: Settings, observed: Bool) async throws -> LMResponse {
        if settings.callLog != nil {
            return try await obtainLogged(request, useCache: useCache, settings: settings, callID: observed ? CallLineage.activeCallID : nil)
        }
        return try await obtainUnlogged(request, useCache: useCache, settings: settings)
    }

    /// The reply from the recording or replaying cassette, else from the cache or the backend.
    private func obtainUnlogged(_ request: LMRequest, useCache: Bool, settings: Settings) async throws -> LMResponse {
        if let cassette = settings.cassette {
            return try await forward(request, useCache: useCache, cassette: cassette, budget: settings.tokenBudget)
        }
        return try await fetch(request, useCache: useCache, budget: settings.tokenBudget)
    }

    /// ``obtainUnlogged(_:useCache:settings:)`` written to the call log, success or failure. `callID` is
    /// this call's id when callbacks observe it.
    @inline(never)
    private func obtainLogged(_ request: LMRequest, useCache: Bool, settings: Settings, callID: String?) async throws -> LMResponse {
        let log = settings.callLog, startedAt = Date(), started = ContinuousClock.now
        let response: LMResponse
        do { response = try await obtainUnlogged(request, useCache: useCache, settings: settings) } catch {
            await log?.append(lm: self, request: request, callID: callID, startedAt: startedAt, started: started, result: .failure(error))
            throw error
        }
        await log?.append(lm: self, request: request, callID: callID, startedAt: startedAt, started: started, result: .success(response))
        return response
    }

    /// The wire request: the LM's parameters, the scope's knobs, then the call's own; and whether
    /// the cache may answer it.
    @inline(never)
    private func prepare(
        messages: [Message], parameters: OrderedDictionary<String, Value>, settings: Settings
    ) throws -> (LMRequest, useCache: Bool) {
        var merged = kwargs
        var useCache = cache
        for (k, v) in LM.knobParameters(settings) { merged[k] = v }
        for (k, v) in parameters {
            if k == "cache" { useCache = v.boolValue ?? useCache; continue }
            merged[k] = v
        }
        if merged["rollout_id"]?.isNull == true { merged.removeValue(forKey: "rollout_id") }
        if let n = merged["n"], !n.isNull { _ = try LMRequest.checkedCompletions(n) }
        return (LMRequest(model: wireModel, messages: messages, parameters: merged), useCache)
    }

    /// Cassette replay, then the cache, then the scope's token budget, then the backend with
    /// retries; the outcome is written to the recording cassette.
    @inline(never)
    private func forward(_ request: LMRequest, useCache: Bool, cassette: Cassette, budget: TokenBudget?) async throws -> LMResponse {
        let requestKey = RequestKey(model: model, request: request)
        switch try cassette.replay(requestKey, model: model, request: request) {
        case .response(let recorded)?: return recorded
        case .failure(let error)?: throw error
        case nil: break
        }
        do {
            let response = try await fetch(request, useCache: useCache, budget: budget)
            cassette.record(requestKey, model: model, request: request, outcome: .response(response), redactor: redactor)
            return response
        } catch {
            // What the caller saw is part of the session; cancellation is not.
            if error is LMError || error is TokenBudgetExceeded {
                cassette.record(requestKey, model: model, request: request, outcome: .failure(error), redactor: redactor)
            }
            throw error
        }
    }

    /// Cache lookup, then the backend with retries. Every reply and error of the backend is
    /// scrubbed of credentials (`Redactor`) and checked before it goes anywhere; a reply
    /// without choices is a bad response, never cached.
    private func fetch(_ request: LMRequest, useCache: Bool, budget: TokenBudget?) async throws -> LMResponse {
        guard useCache && responseCache.isEnabled else { return try await fetchFresh(request, key: nil, budget: budget) }
        return try await fetchCached(request, budget: budget)
    }

    /// The cached reply, else the backend's, which is then cached.
    @inline(never)
    private func fetchCached(_ request: LMRequest, budget: TokenBudget?) async throws -> LMResponse {
        let key = cacheKey(request)
        // A provider batch run merges identical requests itself; a reservation would make the
        // second item wait outside the run, where the run cannot see it.
        let reserving = ProviderBatchRun.current == nil
        if var hit = await responseCache.get(key, reserving: reserving) {
            hit.cacheHit = true
            hit.usage = nil
            return hit
        }
        defer { if reserving { responseCache.release(key) } }  // a miss reserved the key for this call
        let response = try await fetchFresh(request, key: key, budget: budget)
        await responseCache.put(key, response)
        return response
    }

    @inline(never)
    private func cacheKey(_ request: LMRequest) -> String { ResponseCache.key(model: model, request: request, server: apiBase) }

    /// The backend's reply, through a provider batch run when one is collecting (`key` is the
    /// cache's key for it, when the cache is on).
    private func fetchFresh(_ request: LMRequest, key: String?, budget: TokenBudget?) async throws -> LMResponse {
        if let batchRun = ProviderBatchRun.current, let batchable = backend as? any ProviderBatchable {
            return try await fetchThroughBatchRun(batchRun, batchable, request: request, key: key, budget: budget)
        }
        let wire = try wireRequest(request, budget: budget, oneCompletionEach: !backend.completesManyAtOnce)
        let count = requestCount(request)
        return count > 1 ? try await completeEach(wire, count: count) : try await attemptWithRetries(wire)
    }

    /// How many requests a call takes: like DSPy 3.4.1, n completions are n requests without `n`
    /// (n=1 included), in order, each retried on its own, unless the backend completes n at once.
    private func requestCount(_ request: LMRequest) -> Int { backend.completesManyAtOnce ? 1 : request.n }

    /// The request as the backend gets it (no `rollout_id`; no `n` when it is sent once per
    /// completion), once the scope's token budget has room for it.
    @inline(never)
    private func wireRequest(_ request: LMRequest, budget: TokenBudget?, oneCompletionEach: Bool) throws -> LMRequest {
        try budget?.checkAvailable(model: model)
        var wire = request
        wire.parameters.removeValue(forKey: "rollout_id")
        if oneCompletionEach { wire.parameters.removeValue(forKey: "n") }
        return wire
    }

    /// `count` requests for one completion each, combined into one reply (usage summed).
    @inline(never)
    private func completeEach(_ wire: LMRequest, count: Int) async throws -> LMResponse {
        var combined: LMResponse?
        for _ in 0..<count {
            var response = try await attemptWithRetries(wire)
            response.choices = Array(response.choices.prefix(1))  // one completion asked, one kept
            guard var merged = combined else { combined = response; continue }
            merged.choices += response.choices
            if let usage = response.usage { merged.usage = (merged.usage ?? .zero) + usage }
            combined = merged
        }
        guard let response = combined else { throw LMError.noCompletion("has no completions (an empty choice list)", model: model) }
        return response
    }

    /// A request parked with a provider batch run until its round's batch is read back.
    @inline(never)
    private func fetchThroughBatchRun(
        _ batchRun: ProviderBatchRun, _ batchable: any ProviderBatchable, request: LMRequest, key: String?, budget: TokenBudget?
    ) async throws -> LMResponse {
        // The provider's batch line carries `n` itself.
        let wire = try wireRequest(request, budget: budget, oneCompletionEach: false)
        let response = redactor.scrub(
            try await batchRun.request(self, backend: batchable, request: wire, cacheKey: key ?? cacheKey(request)))
        guard !response.choices.isEmpty else { throw LMError.noCompletion("has no completions (an empty choice list)", model: model) }
        return response
    }

    /// One request to the backend, retried as the retry policy and the server allow.
    private func attemptWithRetries(_ wire: LMRequest) async throws -> LMResponse {
        // The call's own deadline: no Retry-After pause may outlast it.
        let clock = Settings.current.clock
        let deadline = clock.now + timeout.clampedForWaiting
        try Task.checkCancellation()
        do {
            return try await tryOnce(wire)
        } catch let failure as LMError {
            return try await retry(wire, after: failure, clock: clock, deadline: deadline)
        }
    }

    /// The tries after a failed first one, in their own frame: the first try, which usually
    /// succeeds, waits in a smaller one (10 000 waiting calls hold ~1.5 MB less).
    @inline(never)
    private func retry(_ wire: LMRequest, after firstFailure: LMError, clock: any WaitClock, deadline: Duration) async throws -> LMResponse {
        var failure = firstFailure
        var attempt = 1
        while true {
            // Decided in a plain function, so the error's handling adds nothing to this frame.
            if let wait = try afterFailure(failure, attempt: attempt, clock: clock, deadline: deadline) { try await clock.sleep(for: wait) }
            attempt += 1
            try Task.checkCancellation()
            do {
                return try await tryOnce(wire)
            } catch let error as LMError {
                failure = error
            }
        }
    }

    /// One try: the backend's reply, scrubbed of credentials and checked for choices.
    @inline(__always)
    private func tryOnce(_ wire: LMRequest) async throws -> LMResponse {
        let response = redactor.scrub(try await callBackend(wire))  // streams inside streamify (Streaming.swift)
        guard !response.choices.isEmpty else {
            throw LMError.noCompletion("has no completions (an empty choice list)", model: model)
        }
        return response
    }

    /// What follows a failed attempt: the error (thrown, when it is final), a pause of the whole
    /// queue for a rate limit (nil: the gate waits it out), or the back-off before the next try.
    @inline(never)
    private func afterFailure(_ failure: LMError, attempt: Int, clock: any WaitClock, deadline: Duration) throws -> Duration? {
        var error = redactor.scrub(failure)
        if error.model == nil { error.model = model }
        error.attempts = attempt
        let willRetry = error.isRetryable && attempt <= numRetries
        if error.kind == .rateLimit, let asked = error.retryAfter {
            let pause = retryPolicy.delay(attempt: attempt, retryAfter: asked)
            if clock.now + pause > deadline {
                // Waiting would outlast the call: give up now rather than sleep past its timeout.
                error.hint =
                    "The server asked to wait \(HTTPTransport.seconds(Duration.clamping(seconds: asked))) (Retry-After), longer than this call's timeout (\(HTTPTransport.seconds(timeout))) allows. Try again later, or raise the LM's timeout."
                throw error
            }
            // Hold the whole queue of this LM, not just this caller.
            gate.pause(for: pause, clock: clock)
            guard willRetry else { throw error }
            return nil  // the gate waits out the pause
        }
        guard willRetry else { throw error }
        return retryPolicy.delay(attempt: attempt, retryAfter: nil)
    }

    @inline(never)
    private func record(request: LMRequest, callParameters: OrderedDictionary<String, Value>, response: LMResponse) {
        CallTally.current?.record(model: model, response: response)
        let settings = Settings.current
        if !response.cacheHit, let usage = response.usage {
            settings.usageTracker?.add(model: model, usage: usage)
            settings.tokenBudget?.charge(usage.totalTokens)
        }
        guard !settings.disableHistory else { return }
        var kw = callParameters
        // Key by key: removeAll(where:) writes through the shared empty-array storage when the
        // parameters are empty, which the thread sanitizer reports as a race between calls.
        for k in kw.keys where LMRequest.isCredential(k) { kw.removeValue(forKey: k) }
        let call = RecordedCall(
            HistoryEntry(
                model: model, messages: request.messages, kwargs: kw, response: response,
                usage: response.cacheHit ? nil : response.usage))
        GlobalHistory.append(call)
        let limit = settings.maxHistorySize
        guard limit > 0 else { return }
        historyStore.withLock { $0.append(call, limit: limit) }
        for module in settings.callerModules { module.moduleRecord?.appendHistory(call, limit: limit) }
    }

    /// This LM's recorded calls, oldest first.
    public var history: [HistoryEntry] { historyStore.withLock { $0.entries } }

    /// Forgets this LM's history.
    public func clearHistory() { historyStore.withLock { $0 = BoundedHistory() } }

    /// The last `n` calls of this LM, formatted as DSPy's `inspect_history` prints them.
    public func inspectHistory(n: Int = 1, color: Bool = false) -> String {
        HistoryEntry.render(HistoryEntry.last(n, of: history), color: color)
    }
}
