/// Typed accessors for DSPy's known keys. Each reads the effective value (scope, then global).
extension Settings {
    /// The default LM for `Predict` (`lm`).
    public var lm: LM? { self.get("lm") }
    /// The adapter (`adapter`); `nil` means a fresh ``ChatAdapter`` per call.
    public var adapter: (any Adapter)? { self.get("adapter") }
    /// Global callback handlers (`callbacks`).
    public var callbacks: [any Callback] { self.get("callbacks") ?? [] }
    /// Attach token usage to predictions (`track_usage`).
    public var trackUsage: Bool { self.get("track_usage") ?? false }
    /// The active usage tracker (`usage_tracker`).
    public var usageTracker: UsageTracker? { self.get("usage_tracker") }
    /// Default workers for `Parallel` and `batch` (`num_threads`, 8).
    public var numThreads: Int { self.get("num_threads") ?? 8 }
    /// Capacity of the `asyncify` worker pool (`async_max_workers`, 8).
    public var asyncMaxWorkers: Int { self.get("async_max_workers") ?? 8 }
    /// Failures after which `Parallel` stops (`max_errors`, 10).
    public var maxErrors: Int { self.get("max_errors") ?? 10 }
    /// Log full error chains for failed `Parallel` items (`provide_traceback`).
    public var provideTraceback: Bool { self.get("provide_traceback") ?? false }
    /// Skip LM and module history (`disable_history`).
    public var disableHistory: Bool { self.get("disable_history") ?? false }
    /// Bound for LM and module histories (`max_history_size`, 10 000).
    public var maxHistorySize: Int { self.get("max_history_size") ?? 10_000 }
    /// Bound for the trace (`max_trace_size`, 10 000).
    public var maxTraceSize: Int { self.get("max_trace_size") ?? 10_000 }
    /// The trace that `Predict` appends to (`trace`); `nil` disables tracing.
    public var trace: Trace? { self.get("trace") }
    /// Allow calling async tools synchronously (`allow_tool_async_sync_conversion`).
    public var allowToolAsyncSyncConversion: Bool { self.get("allow_tool_async_sync_conversion") ?? false }
    /// Warn when inputs do not match declared types (`warn_on_type_mismatch`).
    public var warnOnTypeMismatch: Bool { self.get("warn_on_type_mismatch") ?? true }
    /// The modules currently executing, outermost first (`caller_modules`).
    public var callerModules: [any Module] { self.get("caller_modules") ?? [] }
    /// Rollout/branch index (`branch_idx`).
    public var branchIndex: Int { self.get("branch_idx") ?? 0 }
    /// Where every LM call is logged (`call_log`, not a DSPy key); `nil` (the default) logs
    /// nothing. Set it with `configure(extra: ["call_log": try CallLog(path: ...)])`.
    public var callLog: CallLog? { self.get("call_log") }
}

/// Builds the key/value dictionary for the typed `configure` / `context` entry points.
func settingsDictionary(
    lm: LM?, adapter: (any Adapter)?, trackUsage: Bool?, numThreads: Int?, asyncMaxWorkers: Int?,
    maxErrors: Int?, provideTraceback: Bool?, disableHistory: Bool?, maxHistorySize: Int?,
    maxTraceSize: Int?, callbacks: [any Callback]?, allowToolAsyncSyncConversion: Bool?,
    warnOnTypeMismatch: Bool?, extra: [String: any Sendable]
) -> [String: any Sendable] {
    var d = extra
    if let lm { d["lm"] = lm }
    if let adapter { d["adapter"] = adapter }
    if let trackUsage { d["track_usage"] = trackUsage }
    if let numThreads { d["num_threads"] = numThreads }
    if let asyncMaxWorkers { d["async_max_workers"] = asyncMaxWorkers }
    if let maxErrors { d["max_errors"] = maxErrors }
    if let provideTraceback { d["provide_traceback"] = provideTraceback }
    if let disableHistory { d["disable_history"] = disableHistory }
    if let maxHistorySize { d["max_history_size"] = maxHistorySize }
    if let maxTraceSize { d["max_trace_size"] = maxTraceSize }
    if let callbacks { d["callbacks"] = callbacks }
    if let allowToolAsyncSyncConversion { d["allow_tool_async_sync_conversion"] = allowToolAsyncSyncConversion }
    if let warnOnTypeMismatch { d["warn_on_type_mismatch"] = warnOnTypeMismatch }
    return d
}

/// Sets process-wide defaults (DSPy's `dspy.configure`). Arguments left `nil` are unchanged;
/// other keys go in `extra` by their DSPy name. Only the owning task or thread may call it.
public func configure(
    lm: LM? = nil, adapter: (any Adapter)? = nil, trackUsage: Bool? = nil, numThreads: Int? = nil,
    asyncMaxWorkers: Int? = nil, maxErrors: Int? = nil, provideTraceback: Bool? = nil,
    disableHistory: Bool? = nil, maxHistorySize: Int? = nil, maxTraceSize: Int? = nil,
    callbacks: [any Callback]? = nil, allowToolAsyncSyncConversion: Bool? = nil,
    warnOnTypeMismatch: Bool? = nil, extra: [String: any Sendable] = [:]
) throws {
    try Settings.current.configure(settingsDictionary(
        lm: lm, adapter: adapter, trackUsage: trackUsage, numThreads: numThreads, asyncMaxWorkers: asyncMaxWorkers,
        maxErrors: maxErrors, provideTraceback: provideTraceback, disableHistory: disableHistory,
        maxHistorySize: maxHistorySize, maxTraceSize: maxTraceSize, callbacks: callbacks,
        allowToolAsyncSyncConversion: allowToolAsyncSyncConversion, warnOnTypeMismatch: warnOnTypeMismatch, extra: extra))
}

/// Runs `body` with scoped overrides of the shared settings (DSPy's `with dspy.context(...)`).
public func context<R>(
    lm: LM? = nil, adapter: (any Adapter)? = nil, trackUsage: Bool? = nil, numThreads: Int? = nil,
    asyncMaxWorkers: Int? = nil, maxErrors: Int? = nil, provideTraceback: Bool? = nil,
    disableHistory: Bool? = nil, maxHistorySize: Int? = nil, maxTraceSize: Int? = nil,
    callbacks: [any Callback]? = nil, allowToolAsyncSyncConversion: Bool? = nil,
    warnOnTypeMismatch: Bool? = nil, extra: [String: any Sendable] = [:],
    isolation: isolated (any Actor)? = #isolation,
    _ body: () async throws -> R
) async rethrows -> R {
    try await Settings.current.context(settingsDictionary(
        lm: lm, adapter: adapter, trackUsage: trackUsage, numThreads: numThreads, asyncMaxWorkers: asyncMaxWorkers,
        maxErrors: maxErrors, provideTraceback: provideTraceback, disableHistory: disableHistory,
        maxHistorySize: maxHistorySize, maxTraceSize: maxTraceSize, callbacks: callbacks,
        allowToolAsyncSyncConversion: allowToolAsyncSyncConversion, warnOnTypeMismatch: warnOnTypeMismatch, extra: extra),
        isolation: isolation, body)
}

/// Runs the synchronous `body` with scoped overrides of the shared settings.
public func context<R>(
    lm: LM? = nil, adapter: (any Adapter)? = nil, trackUsage: Bool? = nil, numThreads: Int? = nil,
    asyncMaxWorkers: Int? = nil, maxErrors: Int? = nil, provideTraceback: Bool? = nil,
    disableHistory: Bool? = nil, maxHistorySize: Int? = nil, maxTraceSize: Int? = nil,
    callbacks: [any Callback]? = nil, allowToolAsyncSyncConversion: Bool? = nil,
    warnOnTypeMismatch: Bool? = nil, extra: [String: any Sendable] = [:],
    _ body: () throws -> R
) rethrows -> R {
    try Settings.current.context(settingsDictionary(
        lm: lm, adapter: adapter, trackUsage: trackUsage, numThreads: numThreads, asyncMaxWorkers: asyncMaxWorkers,
        maxErrors: maxErrors, provideTraceback: provideTraceback, disableHistory: disableHistory,
        maxHistorySize: maxHistorySize, maxTraceSize: maxTraceSize, callbacks: callbacks,
        allowToolAsyncSyncConversion: allowToolAsyncSyncConversion, warnOnTypeMismatch: warnOnTypeMismatch, extra: extra), body)
}

/// The shared settings (DSPy's `dspy.settings`).
public var settings: Settings { Settings.current }

extension Settings {
    /// One line on what each known key does, for help texts (`%help num_threads` in the shell).
    public static let keyDescriptions: [String: String] = [
        "lm": "the LM that modules call when they have none of their own",
        "adapter": "how signatures become messages and replies become fields (None: ChatAdapter, falling back to JSONAdapter)",
        "rm": "a retrieval model (DSPy's; not used by this library)",
        "branch_idx": "a rollout/branch index passed along with calls (default 0)",
        "trace": "the (predictor, inputs, prediction) steps recorded while a program runs",
        "callbacks": "handlers called at the start and end of every module, LM, adapter and tool call",
        "async_max_workers": "how many asyncify calls run at once (default 8)",
        "send_stream": "where streamify sends chunks (set by streamify)",
        "disable_history": "True: LMs and modules keep no call history",
        "track_usage": "True: each Prediction carries its token usage (get_lm_usage())",
        "usage_tracker": "the tracker that collects token usage (track_usage() opens one)",
        "caller_predict": "the predictor whose LM call is running (set by Predict)",
        "caller_modules": "the modules whose calls are running, outermost first",
        "stream_listeners": "the listeners of a streamify run",
        "provide_traceback": "True: batch/Parallel failures are logged with the full error chain",
        "num_threads": "workers for batch and Parallel (default 8)",
        "max_errors": "failures after which batch and Parallel stop (default 10)",
        "allow_tool_async_sync_conversion": "True: an async tool may be called synchronously",
        "max_history_size": "the most calls an LM or module history keeps (default 10 000)",
        "max_trace_size": "the most steps the trace keeps (default 10 000)",
        "warn_on_type_mismatch": "warn when an input's value does not match its declared type (default True)",
        "max_tokens_budget": "tokens the calls in a scope may spend; then TokenBudgetExceeded (not a DSPy key)",
        "call_log": "where every LM call is logged (not a DSPy key; the shell logs by default)",
        "cassette": "a cassette that records or replays LM calls (not a DSPy key)",
    ]
}
