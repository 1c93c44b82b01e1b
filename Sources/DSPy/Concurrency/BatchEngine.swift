import Foundation

/// How a batch run reaches its LMs: directly, `num_threads` items at a time (``threads``), or
/// through a provider's batch API (``openAIBatch(_:)``, ``anthropicBatch(_:)``), half price and
/// without a client's connection limits, for runs of thousands of items that can wait.
///
/// With a provider engine every item's program runs as its own task until it needs the LM; the
/// engine collects the waiting requests of all items, submits them as one provider batch, polls
/// it, and resumes each item with its reply. A multi-step program (ChainOfThought then a
/// second predictor, ReAct) takes one round per step. Replies go into the response cache and
/// submitted batches are remembered on disk, so a run that died resumes by running it again.
public struct BatchEngine: Sendable, Hashable, CustomStringConvertible {
    enum Kind: Hashable { case threads, provider(ProviderBatchFormat) }
    let kind: Kind
    /// The provider engine's knobs (unused by ``threads``).
    public var options: ProviderBatchOptions

    /// Requests go straight to the servers, `num_threads` items at a time (the default).
    public static var threads: BatchEngine { BatchEngine(kind: .threads, options: ProviderBatchOptions()) }

    /// OpenAI's Batch API (`/files` + `/batches`), also served by vLLM: every LM of the program
    /// must be an `openai/` LM.
    public static func openAIBatch(_ options: ProviderBatchOptions = ProviderBatchOptions()) -> BatchEngine {
        BatchEngine(kind: .provider(.openAI), options: options)
    }

    /// Anthropic's Message Batches API: every LM of the program must be an `anthropic/` LM.
    public static func anthropicBatch(_ options: ProviderBatchOptions = ProviderBatchOptions()) -> BatchEngine {
        BatchEngine(kind: .provider(.anthropic), options: options)
    }

    /// The engines by the names the shell takes (`engine="openai-batch"`).
    public static let names = ["threads", "openai-batch", "anthropic-batch"]

    /// The engine a name means (one of ``names``).
    /// - Throws: ``BatchEngineError`` for any other name.
    public static func named(_ name: String, options: ProviderBatchOptions = ProviderBatchOptions()) throws(BatchEngineError) -> BatchEngine {
        switch name {
        case "threads": return .threads
        case "openai-batch": return .openAIBatch(options)
        case "anthropic-batch": return .anthropicBatch(options)
        default:
            throw BatchEngineError(
                .unknownEngine, "Unknown batch engine '\(name)'.",
                hint: "Use one of: " + names.map { "\"\($0)\"" }.joined(separator: ", ") + ".")
        }
    }

    public var description: String {
        switch kind {
        case .threads: return "threads"
        case .provider(let format): return format.rawValue + "-batch"
        }
    }

    /// One line per provider batch run going on in this process: round, batches and request
    /// counts (what `%jobs` shows under a background job).
    public static var activeRuns: [String] {
        ProviderBatchRun.registry.withLock { $0.sorted { $0.key < $1.key }.map(\.value) }.map { $0() }
    }
}

/// The knobs of a provider batch engine, as one value.
public struct ProviderBatchOptions: Sendable, Hashable {
    /// The first wait between polls of a batch; each poll waits 1.5× longer, up to ``maxPollInterval``.
    public var pollInterval: Duration
    public var maxPollInterval: Duration
    /// Requests per provider batch (nil: the provider's limit, ``ProviderBatchFormat/maxRequests``).
    public var maxRequestsPerBatch: Int?
    /// Bytes per provider batch (nil: the provider's limit, ``ProviderBatchFormat/maxBytes``).
    public var maxBytesPerBatch: Int?
    /// Items whose programs are alive at once; more wait for a slot. Each waiting item holds its
    /// program's state in memory, so this bounds the run's memory.
    public var maxItemsInFlight: Int
    /// OpenAI's `completion_window` (Anthropic's is fixed at 24 hours).
    public var completionWindow: String
    /// Where submitted batches are remembered (nil: beside the response cache's disk file, or
    /// `$DSPY_CACHEDIR`, `~/.cache/dspy-swift`).
    public var stateDirectory: String?
    /// Bounds each HTTP request to the batch API (an upload of a large file included).
    public var requestTimeout: Duration

    public init(
        pollInterval: Duration = .seconds(10), maxPollInterval: Duration = .seconds(120), maxRequestsPerBatch: Int? = nil,
        maxBytesPerBatch: Int? = nil, maxItemsInFlight: Int = 10_000, completionWindow: String = "24h",
        stateDirectory: String? = nil, requestTimeout: Duration = .seconds(600)
    ) {
        self.pollInterval = pollInterval
        self.maxPollInterval = maxPollInterval
        self.maxRequestsPerBatch = maxRequestsPerBatch
        self.maxBytesPerBatch = maxBytesPerBatch
        self.maxItemsInFlight = maxItemsInFlight
        self.completionWindow = completionWindow
        self.stateDirectory = stateDirectory
        self.requestTimeout = requestTimeout
    }

    /// The options with every knob in range, or an error that names the first one that is not.
    public func validated() throws(BatchEngineError) -> ProviderBatchOptions {
        func check(_ ok: Bool, _ what: String) throws(BatchEngineError) {
            if !ok { throw BatchEngineError(.invalidOption, "Provider batch option \(what).") }
        }
        try check(pollInterval >= .zero, "poll_interval must be 0 or more")
        try check(maxPollInterval >= pollInterval, "max_poll_interval must be at least poll_interval")
        try check((maxRequestsPerBatch ?? 1) >= 1, "max_requests_per_batch must be at least 1")
        try check((maxBytesPerBatch ?? 1) >= 1, "max_bytes_per_batch must be at least 1")
        try check(maxItemsInFlight >= 1, "max_items_in_flight must be at least 1")
        try check(requestTimeout > .zero, "request_timeout must be more than 0")
        return self
    }
}

/// A batch engine that cannot run as asked: an unknown engine, a knob out of range, or an LM
/// the engine cannot carry.
public struct BatchEngineError: DSPyError, Hashable {
    public enum Kind: String, Sendable, Hashable { case unknownEngine, invalidOption, unsupportedLM }
    public let kind: Kind
    public let summary: String
    public let hints: [String]
    public var code: String { kind.rawValue }

    init(_ kind: Kind, _ summary: String, hint: String? = nil) {
        self.kind = kind
        self.summary = summary
        hints = hint.map { [$0] } ?? []
    }
}

/// Runs `body` over `inputs` on `engine`: ``parallelMap(_:options:describe:isolation:_:)`` for
/// ``BatchEngine/threads``, rounds of provider batches otherwise. Results keep input order, a
/// failed item (a request the provider failed or let expire included) is kept with its input
/// and error, and `max_errors` applies. Cancelling the caller cancels the provider batches.
public func batchMap<Input: Sendable, Output: Sendable>(
    _ inputs: [Input], options: ParallelOptions = ParallelOptions(), engine: BatchEngine,
    describe: @escaping @Sendable (Input) -> Value = { _ in .null },
    _ body: @escaping @Sendable (Input) async throws -> Output
) async throws -> BatchResults<Output> {
    try await batchMap(inputs, options: options, engine: engine, progress: nil, describe: describe, body)
}

/// ``batchMap(_:options:engine:describe:_:)`` drawing a given progress line (an evaluation's).
func batchMap<Input: Sendable, Output: Sendable>(
    _ inputs: [Input], options: ParallelOptions, engine: BatchEngine, progress given: ProgressLine?,
    describe: @escaping @Sendable (Input) -> Value,
    _ body: @escaping @Sendable (Input) async throws -> Output
) async throws -> BatchResults<Output> {
    guard case .provider(let format) = engine.kind else {
        return try await parallelMap(inputs, options: options, progress: given, describe: describe, body)
    }
    guard !inputs.isEmpty else { return BatchResults([]) }
    let window = min(inputs.count, try engine.options.validated().maxItemsInFlight)
    let progress = given ?? ProgressLine(total: inputs.count, enabled: !options.disableProgressBar)
    let run = ProviderBatchRun(format: format, options: engine.options, items: inputs.count, window: window, progress: progress)
    var parallel = options
    parallel.numThreads = window
    parallel.timeout = .zero  // a straggler copy would only wait for the same batch
    return try await run.drive {
        try await parallelMap(inputs, options: parallel, progress: progress, describe: describe) { input in
            try await run.item { try await body(input) }
        }
    }
}

extension Module {
    /// Runs this module on every input on `engine` (``BatchEngine/openAIBatch(_:)`` sends the
    /// whole run through OpenAI's Batch API), results in input order.
    public func batch(_ inputs: [Inputs], options: ParallelOptions = ParallelOptions(), engine: BatchEngine) async throws
        -> BatchResults<Prediction>
    {
        try await batchMap(inputs, options: options, engine: engine, describe: { .object($0) }) { try await self.call($0) }
    }

    /// Runs this module on every example's inputs on `engine`.
    public func batch(_ examples: [Example], options: ParallelOptions = ParallelOptions(), engine: BatchEngine) async throws
        -> BatchResults<Prediction>
    {
        try await batch(try examples.map { try $0.inputs().values }, options: options, engine: engine)
    }
}
