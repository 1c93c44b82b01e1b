import Foundation
import Logging
import OrderedCollections
import Synchronization

/// One run on a provider batch engine. Items run as tasks; an LM call inside an item (found
/// through ``current``) parks its request here instead of sending it. Once no item is running —
/// each has finished or waits for a reply — the parked requests form a round: they are grouped by
/// server, matched against batches an earlier process submitted and never read back, split to
/// the provider's limits, submitted, polled, and each waiting item is resumed with its reply.
///
/// Counting: `running` is the number of item slots whose program is executing. It starts at the
/// window (`maxItemsInFlight` items are scheduled at once), drops when an item parks a request
/// and rises when its reply is delivered; an item that ends hands its slot to the next
/// unscheduled item, so the count never reaches zero while an item is about to start.
final class ProviderBatchRun: Sendable {
    /// The run whose items the current task belongs to.
    @TaskLocal static var current: ProviderBatchRun?

    /// Active runs of this process by id (ids grow, so they also give the order the runs
    /// started in), each with its status line.
    static let registry = Locked<[Int: @Sendable () -> String]>([:])
    private static let nextRunID = Atomic<Int>(0)
    static let logger = Logger(label: "dspy.batch")
    /// Consecutive failed polls of one batch (timeouts, 5xx, 429) before its requests fail.
    static let maxPollFailures = 8

    let id: Int
    let format: ProviderBatchFormat
    let options: ProviderBatchOptions
    let progress: ProgressLine
    private let rounds: AsyncStream<[Request]>
    private let roundsInput: AsyncStream<[Request]>.Continuation
    private let state: Locked<State>
    private let store = Locked<StoreSlot>(.unopened)

    /// A request an item parked: where it goes, and the lines it becomes in a batch (one, or
    /// Anthropic's one per completion).
    struct Request: Sendable {
        let waiterID: Int
        let lm: LM
        let client: ProviderBatchClient
        let cacheKey: String
        let lines: [ProviderBatchLine]
        /// The batch API's address; requests to one server share its batches.
        var server: String { client.format.rawValue + " " + client.apiBase }
    }

    private struct State {
        var running: Int
        var unscheduled: Int
        var pending: [Request] = []
        var waiting: [Int: CheckedContinuation<LMResponse, any Error>] = [:]
        var cancelledEarly: Set<Int> = []
        var nextWaiterID = 0
        var round = 0
        /// Batches submitted or resumed and not yet read back, by id.
        var active: OrderedDictionary<String, ProviderBatchState> = [:]
    }

    private enum StoreSlot {
        case unopened
        case opened(ProviderBatchStore?)
    }

    init(format: ProviderBatchFormat, options: ProviderBatchOptions, items: Int, window: Int, progress: ProgressLine) {
        id = Self.nextRunID.add(1, ordering: .relaxed).newValue
        self.format = format
        self.options = options
        self.progress = progress
        state = Locked(State(running: window, unscheduled: items - window))
        (rounds, roundsInput) = AsyncStream.makeStream(of: [Request].self)
    }

    // MARK: Items

    /// Runs one item's program as part of this run.
    func item<R>(_ body: () async throws -> R) async throws -> R {
        defer { itemEnded() }
        return try await ProviderBatchRun.$current.withValue(self) { try await body() }
    }

    private func itemEnded() {
        let round = state.withLock { s -> [Request]? in
            if s.unscheduled > 0 { s.unscheduled -= 1 } else { s.running -= 1 }
            return Self.takeRound(&s)
        }
        if let round { roundsInput.yield(round) }
    }

    /// The parked requests, when no item is running any more.
    private static func takeRound(_ s: inout State) -> [Request]? {
        guard s.running <= 0, !s.pending.isEmpty else { return nil }
        s.round += 1
        defer { s.pending = [] }
        return s.pending
    }

    /// Parks `request` (already missed in the cache) until its round's batch returns it.
    /// - Throws: the request's error in the batch, ``BatchEngineError`` for an LM this engine
    ///   cannot carry, `CancellationError` when the item is cancelled.
    func request(_ lm: LM, backend: any ProviderBatchable, request: LMRequest, cacheKey: String) async throws -> LMResponse {
        guard let lmFormat = backend.batchFormat else {
            throw BatchEngineError(
                .unsupportedLM, "\(lm.model) has no batch API for the \(format.rawValue)-batch engine.",
                hint: "Provider batch engines carry openai/ (OpenAI, vLLM) and anthropic/ LMs; run this program with the default engine.")
        }
        guard lmFormat == format else {
            throw BatchEngineError(
                .unsupportedLM, "The \(format.rawValue)-batch engine cannot carry calls to \(lm.model).",
                hint: "Use engine=\"\(lmFormat.rawValue)-batch\" for this LM.")
        }
        let client = ProviderBatchClient(format: format, apiBase: backend.apiBase, apiKey: backend.batchAPIKey, timeout: options.requestTimeout)
        let prefix = "r" + String(cacheKey.prefix(40)) + "_"
        let lines: [ProviderBatchLine]
        switch format {
        case .openAI:
            lines = [client.line(customID: prefix + "0", body: backend.batchBody(request))]  // `n` completions in one request
        case .anthropic:
            var one = request
            one.parameters.removeValue(forKey: "n")
            let body = backend.batchBody(one)
            lines = (0..<max(1, request.n)).map { client.line(customID: prefix + String($0), body: body) }
        }
        let waiterID = state.withLock { s -> Int in
            s.nextWaiterID += 1
            return s.nextWaiterID
        }
        let parked = Request(waiterID: waiterID, lm: lm, client: client, cacheKey: cacheKey, lines: lines)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<LMResponse, any Error>) in
                let (round, cancelled) = state.withLock { s -> ([Request]?, Bool) in
                    if s.cancelledEarly.remove(waiterID) != nil { return (nil, true) }
                    s.waiting[waiterID] = continuation
                    s.pending.append(parked)
                    s.running -= 1
                    return (Self.takeRound(&s), false)
                }
                if cancelled { continuation.resume(throwing: CancellationError()) }
                if let round { roundsInput.yield(round) }
            }
        } onCancel: {
            let continuation = state.withLock { s -> CheckedContinuation<LMResponse, any Error>? in
                guard let c = s.waiting.removeValue(forKey: waiterID) else {
                    s.cancelledEarly.insert(waiterID)
                    return nil
                }
                s.running += 1  // the item runs again, to end with the cancellation
                if let i = s.pending.firstIndex(where: { $0.waiterID == waiterID }) { s.pending.remove(at: i) }
                return c
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// Resumes the waiting items with their outcomes; each item runs again.
    private func deliver(_ outcomes: [(Int, Result<LMResponse, any Error>)]) {
        guard !outcomes.isEmpty else { return }
        let ready = state.withLock { s -> [(CheckedContinuation<LMResponse, any Error>, Result<LMResponse, any Error>)] in
            outcomes.compactMap { id, outcome in
                guard let c = s.waiting.removeValue(forKey: id) else { return nil }
                s.running += 1
                return (c, outcome)
            }
        }
        for (c, outcome) in ready { c.resume(with: outcome) }
    }

    // MARK: Rounds

    /// Runs `body` (the items) while this run's rounds are submitted and polled; cancels what
    /// is still at the provider when `body` ends early.
    func drive<R>(_ body: () async throws -> R) async throws -> R {
        let line: @Sendable () -> String = { [self] in statusLine ?? "\(format.rawValue) batch run: waiting for its first round" }
        Self.registry.withLock { [id] in $0[id] = line }
        defer {
            Self.registry.withLock { _ = $0.removeValue(forKey: id) }
            progress.setDetail(nil)
        }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.processRounds() }
            defer {
                roundsInput.finish()
                group.cancelAll()
            }
            return try await body()
        }
    }

    private func processRounds() async {
        await withTaskGroup(of: Void.self) { group in
            for await round in rounds {
                let number = state.withLock { $0.round }
                group.addTask { await self.process(round, number: number) }
            }
        }
    }

    private func process(_ round: [Request], number: Int) async {
        let byServer = OrderedDictionary(grouping: round, by: \.server)
        await withTaskGroup(of: Void.self) { group in
            for (server, requests) in byServer {
                group.addTask { await self.process(requests, server: server, round: number) }
            }
        }
    }

    /// What one provider batch gave back: the outcome of each line it carried, and lines an
    /// earlier process put in it that nobody in this round asked for (custom id → cache key).
    private struct BatchOutcome: Sendable {
        var results: [String: Result<LMResponse, any Error>]
        var unasked: [String: String] = [:]
    }

    private func process(_ requests: [Request], server: String, round: Int) async {
        guard let first = requests.first else { return }
        let client = first.client
        var linesByID: OrderedDictionary<String, ProviderBatchLine> = [:]
        var keysByID: [String: String] = [:]
        for r in requests {
            for line in r.lines {
                linesByID[line.customID] = line
                keysByID[line.customID] = r.cacheKey
            }
        }
        let lines = linesByID, keys = keysByID
        let store = openStore(for: first.lm)
        var remembered: [ProviderBatchStore.Remembered] = []
        if let store {
            do { remembered = try await store.openBatches(server: server, carrying: Array(lines.keys)) } catch {
                Self.logger.warning("\(LogText.oneLine("provider batch state \(store.path): reading failed: \(error)"))")
            }
        }
        let covered = Set(remembered.flatMap(\.requests.keys))
        let fresh = lines.values.filter { !covered.contains($0.customID) }
        let chunks = chunked(fresh, format: client.format)

        var outcomes: [String: Result<LMResponse, any Error>] = [:]
        var pendingRequests = requests
        await withTaskGroup(of: BatchOutcome.self) { group in
            for batch in remembered {
                Self.logger.info(
                    "Polling \(client.context) \(batch.batchID) (\(batch.requests.count) requests), submitted earlier and not yet read back.")
                group.addTask {
                    let asked = batch.requests.keys.filter { lines[$0] != nil }
                    do {
                        let first: ProviderBatchState
                        do { first = try await client.status(batch.batchID) } catch let error as LMError where error.kind == .notFound {
                            try? await store?.close(server: server, batchID: batch.batchID, state: "lost", status: "not found")
                            var lost = error
                            lost.hint =
                                "The provider no longer knows this batch; it is forgotten, so running the program again submits these requests anew."
                            throw lost
                        }
                        let state = try await self.poll(client, first, server: server, store: store)
                        var outcome = try await self.readBack(client, state, carrying: asked, server: server, store: store)
                        outcome.unasked = batch.requests.filter { lines[$0.key] == nil }
                        return outcome
                    } catch {
                        return BatchOutcome(results: Dictionary(uniqueKeysWithValues: asked.map { ($0, .failure(error)) }))
                    }
                }
            }
            for chunk in chunks {
                group.addTask {
                    let ids = chunk.map(\.customID)
                    do {
                        try Task.checkCancellation()
                        let created = try await client.create(chunk, completionWindow: self.options.completionWindow)
                        Self.logger.info("Submitted \(client.context) \(created.id) with \(chunk.count) requests (round \(round)).")
                        if let store {
                            do {
                                try await store.remember(
                                    server: server, format: client.format, batch: created,
                                    requests: Dictionary(uniqueKeysWithValues: ids.map { ($0, keys[$0] ?? "") }))
                            } catch {
                                Self.logger.warning(
                                    "\(LogText.oneLine("provider batch state \(store.path): recording \(created.id) failed (a crash now would submit it again): \(error)"))"
                                )
                            }
                        }
                        let state = try await self.poll(client, created, server: server, store: store)
                        return try await self.readBack(client, state, carrying: ids, server: server, store: store)
                    } catch {
                        return BatchOutcome(results: Dictionary(uniqueKeysWithValues: ids.map { ($0, .failure(error)) }))
                    }
                }
            }
            for await outcome in group {
                outcomes.merge(outcome.results) { _, new in new }
                await cacheUnasked(outcome, requests: requests)
                let (ready, rest) = Self.assemble(pendingRequests, outcomes: outcomes)
                pendingRequests = rest
                deliver(ready)
            }
        }
        // Lines no batch accounted for (cannot happen unless a batch misbehaved): fail them plainly.
        deliver(
            pendingRequests.map { r in
                (r.waiterID, .failure(LMError(.badResponse, "The \(client.context) ended without a result for this request.", model: r.lm.model)))
            })
    }

    /// The requests whose every line has an outcome, as replies (or their first error), and the rest.
    private static func assemble(_ requests: [Request], outcomes: [String: Result<LMResponse, any Error>]) -> (
        [(Int, Result<LMResponse, any Error>)], [Request]
    ) {
        var ready: [(Int, Result<LMResponse, any Error>)] = []
        var rest: [Request] = []
        for r in requests {
            let results = r.lines.compactMap { outcomes[$0.customID] }
            guard results.count == r.lines.count else {
                rest.append(r)
                continue
            }
            ready.append((r.waiterID, Self.combine(results, model: r.lm.model)))
        }
        return (ready, rest)
    }

    /// One reply from the replies of a request's lines (Anthropic's completions, in order).
    private static func combine(_ results: [Result<LMResponse, any Error>], model: String) -> Result<LMResponse, any Error> {
        var merged: LMResponse?
        for result in results {
            switch result {
            case .failure(var error as LMError):
                if error.model == nil { error.model = model }
                return .failure(error)
            case .failure(let error): return .failure(error)
            case .success(let response):
                guard var m = merged else {
                    merged = response
                    continue
                }
                m.choices += response.choices
                if let u = response.usage { m.usage = (m.usage ?? .zero) + u }
                merged = m
            }
        }
        guard let merged else { return .failure(LMError.noCompletion("has no completions", model: model)) }
        return .success(merged)
    }

    /// Replies to requests an earlier process submitted and no item of this round asked for go
    /// into the response cache, so the items that ask later find them there.
    private func cacheUnasked(_ outcome: BatchOutcome, requests: [Request]) async {
        guard let lm = requests.first?.lm, !outcome.unasked.isEmpty else { return }
        let byKey = Dictionary(grouping: outcome.unasked, by: \.value)
        for (key, entries) in byKey where !key.isEmpty {
            let results = entries.map(\.key).sorted().compactMap { outcome.results[$0] }
            guard results.count == entries.count, case .success(let response) = Self.combine(results, model: lm.model) else { continue }
            await lm.responseCache.put(key, response)
        }
    }

    /// Splits lines to the provider's (or the options') limits on requests and bytes.
    private func chunked(_ lines: [ProviderBatchLine], format: ProviderBatchFormat) -> [[ProviderBatchLine]] {
        let maxRequests = options.maxRequestsPerBatch ?? format.maxRequests
        let maxBytes = options.maxBytesPerBatch ?? format.maxBytes
        var chunks: [[ProviderBatchLine]] = []
        var current: [ProviderBatchLine] = []
        var bytes = 0
        for line in lines {
            let size = line.encoded.utf8.count + 1
            if !current.isEmpty, current.count >= maxRequests || bytes + size > maxBytes {
                chunks.append(current)
                current = []
                bytes = 0
            }
            current.append(line)
            bytes += size
        }
        if !current.isEmpty { chunks.append(current) }
        return chunks
    }

    /// Polls until the batch ends, backing off from `pollInterval` to `maxPollInterval` and
    /// waiting as long as a `Retry-After` asks. Cancelling the caller cancels the batch.
    private func poll(_ client: ProviderBatchClient, _ initial: ProviderBatchState, server: String, store: ProviderBatchStore?) async throws
        -> ProviderBatchState
    {
        var batch = initial
        // Clamped, so the back-off's multiplications stay far inside Duration's range whatever a
        // caller passed.
        var interval = options.pollInterval.clampedForWaiting
        let maxInterval = options.maxPollInterval.clampedForWaiting
        var wait = interval
        var failures = 0
        let clock = Settings.current.clock
        track(batch)
        do {
            while !batch.ended {
                try await clock.sleep(for: wait)
                do {
                    batch = try await client.status(batch.id)
                    failures = 0
                    track(batch)
                    interval = min(interval * 1.5, maxInterval)
                    wait = interval
                } catch let error as LMError where error.isRetryable && failures < Self.maxPollFailures {
                    failures += 1
                    wait = error.retryAfter.map { Duration.clamping(seconds: $0) } ?? min(interval * Double(1 << failures), maxInterval)
                }
            }
        } catch {
            untrack(batch.id)
            guard error is CancellationError || Task.isCancelled else { throw error }
            let id = batch.id
            // The caller is cancelled; the cancel request must still go out.
            await Task { try? await client.cancel(id) }.value
            try? await store?.close(server: server, batchID: id, state: "cancelled", status: "cancelling")
            Self.logger.info("Cancelled \(client.context) \(id).")
            throw CancellationError()
        }
        return batch
    }

    /// The outcome of each of `ids` in an ended batch; the batch is then closed in the store.
    private func readBack(
        _ client: ProviderBatchClient, _ batch: ProviderBatchState, carrying ids: [String], server: String, store: ProviderBatchStore?
    ) async throws -> BatchOutcome {
        defer { untrack(batch.id) }
        var results: [String: Result<LMResponse, any Error>] = [:]
        if let failure = batch.failure {
            let error = LMError(
                .invalidRequest, "The \(client.context) \(batch.id) failed: \(failure)",
                hint: "The provider rejected the whole batch; check the model name and parameters.")
            for id in ids { results[id] = .failure(error) }
        } else {
            let read = try await client.results(batch)
            for (id, outcome) in read { results[id] = outcome.mapError { $0 } }
            for id in ids where results[id] == nil {
                results[id] = .failure(
                    batch.status == "expired"
                        ? ProviderBatchClient.requestError(code: "batch_expired", message: "", context: client.context)
                        : batch.status == "cancelled" || batch.status == "canceled"
                            ? ProviderBatchClient.requestError(code: "batch_cancelled", message: "", context: client.context)
                            : LMError(.badResponse, "The \(client.context) \(batch.id) ended (\(batch.status)) without a result for this request."))
            }
        }
        if let store {
            do { try await store.close(server: server, batchID: batch.id, state: "done", status: batch.status) } catch {
                Self.logger.warning("\(LogText.oneLine("provider batch state \(store.path): closing \(batch.id) failed: \(error)"))")
            }
        }
        return BatchOutcome(results: results)
    }

    /// The store beside the first LM's cache (opened once per run; nil when there is no
    /// directory or it cannot be opened, which is logged).
    private func openStore(for lm: LM) -> ProviderBatchStore? {
        store.withLock { slot in
            if case .opened(let s) = slot { return s }
            let directory =
                options.stateDirectory ?? lm.responseCache.diskPath.map { ($0 as NSString).deletingLastPathComponent }
                ?? ResponseCache.defaultDirectory()
            var opened: ProviderBatchStore?
            if let directory {
                do { opened = try ProviderBatchStore(directory: directory) } catch {
                    Self.logger.warning(
                        "\(LogText.oneLine("provider batch state in \(directory) cannot be opened, so a crash cannot be resumed: \(error)"))")
                }
            }
            slot = .opened(opened)
            return opened
        }
    }

    // MARK: Status

    private func track(_ batch: ProviderBatchState) {
        state.withLock { $0.active[batch.id] = batch }
        progress.setDetail(statusLine)
    }

    private func untrack(_ id: String) {
        state.withLock { _ = $0.active.removeValue(forKey: id) }
        progress.setDetail(statusLine)
    }

    /// `openai batch batch_abc: in_progress, 312/1000 requests done (3 failed), round 2`, or a
    /// summary of several batches; nil before the first batch is submitted.
    var statusLine: String? {
        state.withLock { s -> String? in
            let batches = Array(s.active.values)
            guard let first = batches.first else { return nil }
            let name = "\(format.rawValue) batch"
            if batches.count == 1 {
                return "\(name) \(first.id): \(first.status), \(Self.counts(first.done, first.total, first.failed)), round \(s.round)"
            }
            let statuses = OrderedDictionary(grouping: batches, by: \.status).map { "\($0.value.count) \($0.key)" }.joined(separator: ", ")
            return "\(batches.count) \(name)es (\(statuses)): "
                + Self.counts(batches.reduce(0) { $0 + $1.done }, batches.reduce(0) { $0 + $1.total }, batches.reduce(0) { $0 + $1.failed })
                + ", round \(s.round)"
        }
    }

    private static func counts(_ done: Int, _ total: Int, _ failed: Int) -> String {
        "\(done)/\(total) requests done" + (failed > 0 ? " (\(failed) failed)" : "")
    }
}
