import Logging
import OrderedCollections
import Synchronization

/// One item of a parallel run that failed: where it was, what it was given, and why.
public struct ItemFailure: Error, Sendable, CustomStringConvertible {
    public let index: Int
    /// The item's input (an example's values, a dictionary, or a nested list).
    public let input: Value
    public let error: any Error

    public var description: String {
        "Failed(index=\(index), input=\(input.pythonRepr), error=\(PythonString.repr(String(describing: error))))"
    }
}

/// One item's outcome: its output, or the failure that replaced it. Never a bare `nil`.
public enum ItemResult<Output: Sendable>: Sendable {
    case success(Output)
    case failure(ItemFailure)

    public var output: Output? { if case .success(let o) = self { return o }; return nil }
    public var failure: ItemFailure? { if case .failure(let f) = self { return f }; return nil }
}

/// Results of a parallel run, in input order.
public struct BatchResults<Output: Sendable>: Sendable, RandomAccessCollection {
    public let items: [ItemResult<Output>]

    public init(_ items: [ItemResult<Output>]) { self.items = items }

    public var startIndex: Int { 0 }
    public var endIndex: Int { items.count }
    public subscript(i: Int) -> ItemResult<Output> { items[i] }

    /// Each item's output, `nil` where it failed (DSPy's result list).
    public var outputs: [Output?] { items.map(\.output) }
    /// The failed items in input order, with their inputs and errors (DSPy's
    /// `failed_examples` and `exceptions`).
    public var failures: [ItemFailure] { items.compactMap(\.failure) }
}

/// A run stopped before it finished: too many failures (`max_errors`) or the caller was
/// cancelled. Carries every failure collected so far.
public struct ParallelCancelledError: Error, Sendable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable { case maxErrors(Int), interrupted }
    public let reason: Reason
    public let failures: [ItemFailure]
    /// Items that had finished successfully when the run stopped.
    public let completed: Int

    public var description: String {
        var s = "Execution cancelled due to errors or interruption."
        switch reason {
        case .maxErrors(let n): s += " \(failures.count) item\(failures.count == 1 ? "" : "s") failed (max_errors=\(n))"
        case .interrupted: s += " The run was interrupted"
        }
        s += "; \(completed) finished."
        if let first = failures.first { s += " First failure: item \(first.index): \(first.error)" }
        return s
    }
}

/// Knobs of a parallel run. `nil` means "read the setting at call time" (`num_threads`,
/// `max_errors`, `provide_traceback`).
public struct ParallelOptions: Sendable {
    public var numThreads: Int?
    public var maxErrors: Int?
    public var provideTraceback: Bool?
    public var disableProgressBar: Bool
    /// After this long, slow items may be started a second time (zero disables it).
    public var timeout: Duration
    /// Re-submission happens only when at most this many items remain.
    public var stragglerLimit: Int

    /// DSPy's defaults for ``timeout`` and ``stragglerLimit`` (its `Parallel`'s).
    public static let defaultTimeout: Duration = .seconds(120)
    public static let defaultStragglerLimit = 3

    public init(
        numThreads: Int? = nil, maxErrors: Int? = nil, provideTraceback: Bool? = nil, disableProgressBar: Bool = false,
        timeout: Duration = defaultTimeout, stragglerLimit: Int = defaultStragglerLimit
    ) {
        self.numThreads = numThreads
        self.maxErrors = maxErrors
        self.provideTraceback = provideTraceback
        self.disableProgressBar = disableProgressBar
        self.timeout = timeout
        self.stragglerLimit = stragglerLimit
    }
}

/// Runs `body` over `inputs` with at most `num_threads` items in flight, keeping input order.
///
/// Every item runs inside the caller's scope (child tasks inherit all overrides) with its own
/// usage tracker that rolls up into the caller's. A failure is logged and kept with its index,
/// input and error; once failures reach `max_errors` the run cancels what is in flight and throws
/// ``ParallelCancelledError``. Cancelling the caller cancels every item, down to its HTTP request.
/// Items run on Swift's default executor, spread over the cores, also when the caller runs on
/// an ``IOExecutor`` (whose one loop would otherwise take every item).
public func parallelMap<Input: Sendable, Output: Sendable>(
    _ inputs: [Input], options: ParallelOptions = ParallelOptions(),
    describe: @escaping @Sendable (Input) -> Value = { _ in .null },
    isolation: isolated (any Actor)? = #isolation,
    _ body: @escaping @Sendable (Input) async throws -> Output
) async throws -> BatchResults<Output> {
    try await parallelMap(inputs, options: options, progress: nil, describe: describe, isolation: isolation, body)
}

/// ``parallelMap(_:options:describe:isolation:_:)`` drawing a given progress line (an
/// evaluation's shows the running metric).
func parallelMap<Input: Sendable, Output: Sendable>(
    _ inputs: [Input], options: ParallelOptions, progress given: ProgressLine?,
    describe: @escaping @Sendable (Input) -> Value,
    isolation: isolated (any Actor)? = #isolation,
    _ body: @escaping @Sendable (Input) async throws -> Output
) async throws -> BatchResults<Output> {
    let settings = Settings.current
    let numThreads = max(1, options.numThreads.flatMap { $0 > 0 ? $0 : nil } ?? settings.numThreads)
    let maxErrors = options.maxErrors ?? settings.maxErrors
    let traceback = options.provideTraceback ?? settings.provideTraceback
    let total = inputs.count
    guard total > 0 else { return BatchResults([]) }

    let parentTracker = settings.usageTracker
    let remaining = ParallelCounter(total)
    let progress = given ?? ProgressLine(total: total, enabled: !options.disableProgressBar)
    defer { progress.finish() }
    var slots = [ItemResult<Output>?](repeating: nil, count: total)
    var failures = 0
    var successes = 0

    @Sendable func runItem(_ input: Input) async throws -> Output {
        let item: @Sendable () async throws -> Output = {
            guard options.timeout > .zero else { return try await body(input) }
            return try await raceStraggler(timeout: options.timeout, limit: options.stragglerLimit, remaining: remaining) {
                try await body(input)
            }
        }
        guard let parentTracker else { return try await item() }
        return try await settings.withOverrides(["usage_tracker": UsageTracker(parent: parentTracker)]) { try await item() }
    }

    /// Starts item `i` on the default executor (not the caller's, which a child would inherit).
    func start(_ i: Int, in group: inout ThrowingTaskGroup<(Int, Result<Output, any Error>), any Error>) {
        let input = inputs[i]
        group.addTask(executorPreference: globalConcurrentExecutor) {
            do { return (i, .success(try await runItem(input))) } catch { return (i, .failure(error)) }
        }
    }

    try await withThrowingTaskGroup(of: (Int, Result<Output, any Error>).self, isolation: isolation) { group in
        var next = 0
        while next < min(numThreads, total) {
            start(next, in: &group)
            next += 1
        }
        while let (i, outcome) = try await group.next() {
            remaining.decrement()
            switch outcome {
            case .success(let o):
                slots[i] = .success(o)
                successes += 1
            case .failure(let error):
                if Task.isCancelled {
                    group.cancelAll()
                    throw ParallelCancelledError(reason: .interrupted, failures: slots.compactMap { $0?.failure }, completed: successes)
                }
                failures += 1
                let failure = ItemFailure(index: i, input: describe(inputs[i]), error: error)
                slots[i] = .failure(failure)
                ParallelLog.logFailure(failure, traceback: traceback)
                if failures >= maxErrors {
                    group.cancelAll()
                    ParallelLog.logger.warning("Execution cancelled due to errors or interruption.")
                    throw ParallelCancelledError(reason: .maxErrors(maxErrors), failures: slots.compactMap { $0?.failure }, completed: successes)
                }
            }
            progress.update(done: successes + failures, succeeded: successes)
            if next < total {
                start(next, in: &group)
                next += 1
            }
        }
    }
    if Task.isCancelled {
        throw ParallelCancelledError(reason: .interrupted, failures: slots.compactMap { $0?.failure }, completed: successes)
    }
    return BatchResults(
        slots.enumerated().map { i, r in
            r ?? .failure(ItemFailure(index: i, input: describe(inputs[i]), error: CancellationError()))
        })
}

/// Runs `work`; if it is still running after `timeout` while at most `limit` items of the run
/// remain, starts one more copy. The first copy to finish wins and the other is cancelled.
func raceStraggler<Output: Sendable>(
    timeout: Duration, limit: Int, remaining: ParallelCounter,
    _ work: @escaping @Sendable () async throws -> Output
) async throws -> Output {
    let clock = Settings.current.clock
    return try await withThrowingTaskGroup(of: Output.self) { g in
        g.addTask { try await work() }
        g.addTask {
            try await clock.sleep(for: timeout)
            while remaining.value > limit { try await clock.sleep(for: .milliseconds(50)) }
            ParallelLog.stragglersResubmitted.add(1, ordering: .relaxed)
            return try await work()
        }
        defer { g.cancelAll() }
        guard let first = try await g.next() else { throw CancellationError() }
        return first
    }
}

/// A shared countdown of unfinished items.
final class ParallelCounter: Sendable {
    private let count: Atomic<Int>
    init(_ n: Int) { count = Atomic(n) }
    var value: Int { count.load(ordering: .relaxed) }
    func decrement() { count.subtract(1, ordering: .relaxed) }
}

enum ParallelLog {
    static let logger = Logger(label: "dspy.parallel")
    /// How many straggler copies were started in this process (for tests and diagnostics).
    static let stragglersResubmitted = Atomic<Int>(0)

    /// DSPy's M16 on one line: `Error for item I {input}: {e}. Set `provide_traceback=True` for
    /// traceback.`, or with `provide_traceback` the error's chain in place of the advice.
    static func message(_ f: ItemFailure, traceback: Bool) -> String {
        let head = "Error for item \(f.index) \(f.input.pythonRepr): \(f.error)"
        if traceback { return LogText.oneLine(head) + " — traceback: " + errorChain(f.error) }
        return LogText.sentence(head, then: "Set `provide_traceback=True` for traceback.")
    }

    static func logFailure(_ f: ItemFailure, traceback: Bool) {
        logger.error("\(message(f, traceback: traceback))")
    }

    /// The error and everything it wraps, on one line.
    static func errorChain(_ error: any Error) -> String {
        var parts = ["\(type(of: error)): " + LogText.oneLine(String(reflecting: error))]
        if let f = error as? ItemFailure { parts.append("caused by: " + errorChain(f.error)) }
        return parts.joined(separator: "; ")
    }
}

// MARK: - Parallel and batch

/// What `Parallel` runs: a module on inputs, a module on an example's inputs, or a nested
/// `Parallel` on its own jobs.
public enum ParallelJob: Sendable {
    case call(any Module, Inputs)
    case example(any Module, Example)
    case nested(Parallel, [ParallelJob])

    var describedInput: Value {
        switch self {
        case .call(_, let inputs): return .object(inputs)
        case .example(_, let e): return .object(e.values)
        case .nested(_, let jobs): return .array(jobs.map(\.describedInput))
        }
    }
}

/// What a job produced: a prediction, or a nested run's results.
public enum ParallelOutput: Sendable, CustomStringConvertible {
    case prediction(Prediction)
    case results(BatchResults<ParallelOutput>)

    public var prediction: Prediction? { if case .prediction(let p) = self { return p }; return nil }

    public var description: String {
        switch self {
        case .prediction(let p): return p.description
        case .results(let r): return "[" + r.items.map { $0.output?.description ?? $0.failure?.description ?? "None" }.joined(separator: ", ") + "]"
        }
    }
}

/// Runs many module calls at once (DSPy's `dspy.Parallel`): `num_threads` workers, results in
/// input order, failures kept with their inputs, `max_errors` cancellation, straggler
/// re-submission, and the caller's scope in every worker. Each call keeps its own failures.
public final class Parallel: Sendable {
    public let options: ParallelOptions
    /// Kept for DSPy compatibility: failures are always returned in ``BatchResults/failures``.
    public let returnFailedExamples: Bool

    public convenience init(
        numThreads: Int? = nil, maxErrors: Int? = nil, returnFailedExamples: Bool = false, provideTraceback: Bool? = nil,
        disableProgressBar: Bool = false, timeout: Duration = ParallelOptions.defaultTimeout,
        stragglerLimit: Int = ParallelOptions.defaultStragglerLimit
    ) {
        self.init(
            options: ParallelOptions(
                numThreads: numThreads, maxErrors: maxErrors, provideTraceback: provideTraceback,
                disableProgressBar: disableProgressBar, timeout: timeout, stragglerLimit: stragglerLimit),
            returnFailedExamples: returnFailedExamples)
    }

    /// A runner with the knobs as one value.
    public init(options: ParallelOptions, returnFailedExamples: Bool = false) {
        self.options = options
        self.returnFailedExamples = returnFailedExamples
    }

    /// Runs each job; a nested job runs its `Parallel` inside one worker.
    public func callAsFunction(_ jobs: [ParallelJob]) async throws -> BatchResults<ParallelOutput> {
        try await parallelMap(jobs, options: options, describe: { $0.describedInput }) { job in
            switch job {
            case .call(let m, let inputs): return .prediction(try await m.call(inputs))
            case .example(let m, let e): return .prediction(try await m.call(try e.inputs().values))
            case .nested(let p, let inner): return .results(try await p(inner))
            }
        }
    }

    /// Runs `(module, inputs)` pairs and returns their predictions.
    public func callAsFunction(_ pairs: [(any Module, Inputs)]) async throws -> BatchResults<Prediction> {
        let jobs = pairs.map { PairBox(module: $0.0, inputs: $0.1) }
        return try await parallelMap(jobs, options: options, describe: { .object($0.inputs) }) { try await $0.module.call($0.inputs) }
    }

    /// Runs `(module, example)` pairs on each example's inputs.
    public func callAsFunction(_ pairs: [(any Module, Example)]) async throws -> BatchResults<Prediction> {
        try await self(try pairs.map { ($0.0, try $0.1.inputs().values) })
    }
}

private struct PairBox: Sendable {
    let module: any Module
    let inputs: Inputs
}

extension Module {
    /// Runs this module on every input in parallel (DSPy's `module.batch`).
    public func batch(
        _ inputs: [Inputs], numThreads: Int? = nil, maxErrors: Int? = nil, provideTraceback: Bool? = nil,
        disableProgressBar: Bool = false, timeout: Duration = ParallelOptions.defaultTimeout,
        stragglerLimit: Int = ParallelOptions.defaultStragglerLimit
    ) async throws -> BatchResults<Prediction> {
        try await batch(
            inputs,
            options: ParallelOptions(
                numThreads: numThreads, maxErrors: maxErrors, provideTraceback: provideTraceback,
                disableProgressBar: disableProgressBar, timeout: timeout, stragglerLimit: stragglerLimit))
    }

    /// Runs this module on every example's inputs; examples must have inputs marked
    /// (`withInputs`), or this throws before anything runs.
    public func batch(
        _ examples: [Example], numThreads: Int? = nil, maxErrors: Int? = nil, provideTraceback: Bool? = nil,
        disableProgressBar: Bool = false, timeout: Duration = ParallelOptions.defaultTimeout,
        stragglerLimit: Int = ParallelOptions.defaultStragglerLimit
    ) async throws -> BatchResults<Prediction> {
        let inputs = try examples.map { try $0.inputs().values }
        return try await batch(
            inputs,
            options: ParallelOptions(
                numThreads: numThreads, maxErrors: maxErrors, provideTraceback: provideTraceback,
                disableProgressBar: disableProgressBar, timeout: timeout, stragglerLimit: stragglerLimit))
    }

    /// Runs this module on every input in parallel, with the run's knobs as one value.
    public func batch(_ inputs: [Inputs], options: ParallelOptions) async throws -> BatchResults<Prediction> {
        try await parallelMap(inputs, options: options, describe: { .object($0) }) { try await self.call($0) }
    }
}

extension SettingKey where Value == Int {
    /// Default workers for `Parallel` and `batch` (`num_threads`, 8).
    public static var numThreads: SettingKey {
        SettingKey(
            "num_threads", summary: "workers for batch and Parallel (default 8)",
            default: { 8 }, check: .integer(in: 1...Int.max, "a whole number of workers, at least 1"))
    }

    /// Failures after which `Parallel` stops (`max_errors`, 10).
    public static var maxErrors: SettingKey {
        SettingKey(
            "max_errors", summary: "failures after which batch and Parallel stop (default 10)",
            default: { 10 }, check: .integer(in: 0...Int.max, "a whole number of failures, 0 or more"))
    }
}

extension SettingKey where Value == Bool {
    /// Log full error chains for failed `Parallel` items (`provide_traceback`).
    public static var provideTraceback: SettingKey {
        SettingKey(
            "provide_traceback", summary: "True: batch/Parallel failures are logged with the full error chain",
            default: { false }, check: .boolean)
    }
}

extension Settings {
    /// Default workers for `Parallel` and `batch` (`num_threads`, 8).
    public var numThreads: Int { self[.numThreads] }
    /// Failures after which `Parallel` stops (`max_errors`, 10).
    public var maxErrors: Int { self[.maxErrors] }
    /// Log full error chains for failed `Parallel` items (`provide_traceback`).
    public var provideTraceback: Bool { self[.provideTraceback] }
}
