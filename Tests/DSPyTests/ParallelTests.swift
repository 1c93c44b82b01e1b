import Foundation
import Synchronization
import TestSupport
import Testing
@testable import DSPy

/// A module that reports what it sees of the settings, optionally sleeping or failing.
final class ProbeModule: Module {
    let delay: @Sendable (Inputs) -> Duration
    let fail: @Sendable (Inputs) -> Bool
    let inFlight = Atomic<Int>(0)
    let peak = Atomic<Int>(0)

    init(delay: @escaping @Sendable (Inputs) -> Duration = { _ in .zero }, fail: @escaping @Sendable (Inputs) -> Bool = { _ in false }) {
        self.delay = delay
        self.fail = fail
    }

    func forward(_ inputs: Inputs) async throws -> Prediction {
        let now = inFlight.add(1, ordering: .relaxed).newValue
        peak.max(now, ordering: .relaxed)
        defer { inFlight.subtract(1, ordering: .relaxed) }
        let d = delay(inputs)
        if d > .zero { try await Task.sleep(for: d) }
        if fail(inputs) { throw ProbeError(value: inputs["value"] ?? .null) }
        let s = Settings.shared
        return Prediction([
            "value": inputs["value"] ?? .null,
            "custom": s.get("custom", as: String.self).map(Value.string) ?? .null,
            "lm": s.lm.map { .string($0.model) } ?? .null,
        ])
    }
}

struct ProbeError: Error, CustomStringConvertible {
    let value: Value
    var description: String { "test error for \(value.pythonStr)" }
}

private func values(_ n: Int) -> [Inputs] { (0..<n).map { ["value": .int($0)] } }

@Suite struct ParallelTests {
    @Test func everyExecutorSeesTheCallersScope() async throws {
        let probe = ProbeModule()
        let lm = try LM("dummy/scoped")
        try await Settings.shared.context(["custom": "outer", "lm": lm]) {
            let batch = try await probe.batch(values(20), numThreads: 4, disableProgressBar: true)
            #expect(batch.outputs.allSatisfy { $0?.custom == "outer" && $0?.lm == "dummy/scoped" })

            let parallel = try await Parallel(numThreads: 3)(values(6).map { (probe as any Module, $0) })
            #expect(parallel.outputs.map { $0?.custom } == Array(repeating: "outer", count: 6))

            let inner = Parallel(numThreads: 2)
            let nested = try await Parallel(numThreads: 2)([
                .nested(inner, [.call(probe, ["value": 1]), .call(probe, ["value": 2])]),
                .example(probe, Example(["value": 3, "label": "x"]).withInputs("value")),
            ])
            guard case .results(let innerResults)? = nested[0].output else { Issue.record("no nested results"); return }
            #expect(innerResults.outputs.map { $0?.prediction?.custom } == ["outer", "outer"])
            #expect(nested[1].output?.prediction?.custom == "outer")

            let fromAsyncify = try await asyncify { Settings.shared.get("custom", as: String.self) }()
            #expect(fromAsyncify == "outer")

            let snap = Settings.shared.capture()
            let detached = try await Task.detached { try await snap.apply { try await probe(value: 9) } }.value
            #expect(detached.custom == "outer")
        }
    }

    @Test func workersKeepTheirOwnInnerScopes() async throws {
        struct Scoper: Module {
            func forward(_ inputs: Inputs) async throws -> Prediction {
                let mine = "item-\(inputs["value"]?.intValue ?? -1)"
                return try await Settings.shared.context(["custom": mine]) {
                    try await Task.sleep(for: .milliseconds(Int.random(in: 0...5)))
                    return Prediction(["ok": .bool(Settings.shared.get("custom", as: String.self) == mine)])
                }
            }
        }
        let results = try await Scoper().batch(values(200), numThreads: 16, disableProgressBar: true)
        #expect(results.outputs.allSatisfy { $0?.ok == true })
        #expect(Settings.shared.get("custom", as: String.self) == nil)
    }

    @Test func resultsKeepInputOrderWithRandomLatencies() async throws {
        let probe = ProbeModule(delay: { _ in .milliseconds(Int.random(in: 0...15)) })
        let results = try await probe.batch(values(100), numThreads: 10, disableProgressBar: true)
        #expect(results.outputs.map { $0?.value.intValue } == Array(0..<100))
        #expect(probe.peak.load(ordering: .relaxed) <= 10)
    }

    @Test func failuresAreKeptWithIndexInputAndError() async throws {
        let probe = ProbeModule(fail: { $0["value"] == 2 || $0["value"] == 4 })
        let results = try await probe.batch(values(5), numThreads: 3, maxErrors: 3, disableProgressBar: true)
        #expect(results.outputs.map { $0?.value.intValue } == [0, 1, nil, 3, nil])
        #expect(results.failures.map(\.index) == [2, 4])
        #expect(results.failures[0].input == ["value": 2])
        #expect("\(results.failures[0].error)" == "test error for 2")
        #expect(results.failures[0].description == "Failed(index=2, input={'value': 2}, error='test error for 2')")
    }

    @Test func maxErrorsStopsTheRunAndCarriesTheFailures() async throws {
        let probe = ProbeModule(delay: { $0["value"] == 0 ? .zero : .milliseconds(200) }, fail: { $0["value"] == 0 })
        do {
            _ = try await probe.batch(values(50), numThreads: 4, maxErrors: 1, disableProgressBar: true)
            Issue.record("expected cancellation")
        } catch let e as ParallelCancelledError {
            #expect(e.reason == .maxErrors(1))
            #expect(e.failures.map(\.index) == [0])
            #expect(e.description.hasPrefix("Execution cancelled due to errors or interruption."))
        }
        #expect(probe.inFlight.load(ordering: .relaxed) == 0)  // in-flight items were cancelled and awaited
    }

    @Test func maxErrorsZeroCancelsOnFirstError() async throws {
        let probe = ProbeModule(fail: { $0["value"] == 3 })
        await #expect(throws: ParallelCancelledError.self) {
            try await probe.batch(values(5), numThreads: 1, maxErrors: 0, disableProgressBar: true)
        }
        let ok = try await probe.batch(values(5), numThreads: 1, maxErrors: 2, disableProgressBar: true)
        #expect(ok.outputs.map { $0?.value.intValue } == [0, 1, 2, nil, 4])
    }

    @Test func stragglersAreResubmittedOnceAndTheFirstResultWins() async throws {
        let attempts = Atomic<Int>(0)
        let probe = ProbeModule(delay: { _ in
            attempts.add(1, ordering: .relaxed).newValue == 1 ? .seconds(3600) : .zero  // the first copy hangs
        })
        let before = ParallelLog.stragglersResubmitted.load(ordering: .relaxed)
        let clock = ManualClock()
        let run = Task {
            try await context(.clock(clock)) {
                try await probe.batch(values(1), numThreads: 4, disableProgressBar: true, timeout: .milliseconds(200), stragglerLimit: 3)
            }
        }
        await clock.waitUntilSleeping { $0 == 1 }  // the straggler timer
        while attempts.load(ordering: .relaxed) == 0 { await Task.yield() }  // and the first copy, hanging
        #expect(clock.requested == [.milliseconds(200)])
        clock.advance(by: .milliseconds(200))
        let results = try await run.value
        #expect(results.outputs.map { $0?.value.intValue } == [0])
        #expect(attempts.load(ordering: .relaxed) == 2)  // resubmitted once
        #expect(ParallelLog.stragglersResubmitted.load(ordering: .relaxed) > before)
        #expect(probe.inFlight.load(ordering: .relaxed) == 0)  // the hung copy was cancelled
    }

    @Test func cancellingTheCallerCancelsEveryItem() async throws {
        let probe = ProbeModule(delay: { _ in .seconds(30) })
        let run = Task { try await probe.batch(values(8), numThreads: 8, disableProgressBar: true) }
        while probe.inFlight.load(ordering: .relaxed) < 8 { try await Task.sleep(for: .milliseconds(5)) }
        run.cancel()
        await #expect(throws: ParallelCancelledError.self) { try await run.value }
        #expect(probe.inFlight.load(ordering: .relaxed) == 0)
    }

    @Test func usageRollsUpIntoTheCallersTracker() async throws {
        let lm = LM(model: "rec", backend: RecordingBackend { _ in "[[ ## answer ## ]]\na" })
        let qa = try Predict("question -> answer", lm: lm)
        let (results, tracker) = try await trackUsage {
            try await Settings.shared.context(["track_usage": true]) {
                try await qa.batch((0..<10).map { ["question": .string("q\($0)")] }, numThreads: 4, disableProgressBar: true)
            }
        }
        #expect(results.outputs.allSatisfy { $0?.lmUsage?["rec"]?.totalTokens == 15 })
        #expect(tracker.totals["rec"]?.totalTokens == 150)
    }

    @Test func childrenInheritTheParentCallID() async throws {
        struct Parent: Module {
            let child = ProbeModule()
            func forward(_ inputs: Inputs) async throws -> Prediction {
                _ = try await Parallel(numThreads: 2)(values(2).map { (child as any Module, $0) })
                return Prediction()
            }
        }
        let log = EventLog()
        _ = try await Settings.shared.context(["callbacks": [log] as [any Callback]]) { try await Parent()(x: 1) }
        let ids = log.ids.withLock { $0 }.filter { $0.1.hasPrefix("module_start") }
        #expect(ids.count == 3)
        #expect(ids[1].0.parentID == ids[0].0.id && ids[2].0.parentID == ids[0].0.id)
    }

    @Test func examplesWithoutInputsAreRejectedUpFront() async throws {
        let probe = ProbeModule()
        await #expect(throws: ExampleError.self) { try await probe.batch([Example(["value": 1])]) }
        #expect(probe.peak.load(ordering: .relaxed) == 0)
    }

    @Test func stressTenThousandItemsOver256Workers() async throws {
        struct Checker: Module {
            func forward(_ inputs: Inputs) async throws -> Prediction {
                let i = inputs["value"]?.intValue ?? -1
                return try await Settings.shared.context(["custom": "w\(i)"]) {
                    await Task.yield()
                    let ok = Settings.shared.get("custom", as: String.self) == "w\(i)" && Settings.shared.get("outer", as: String.self) == "o"
                    return Prediction(["value": .int(i), "ok": .bool(ok)])
                }
            }
        }
        let results = try await Settings.shared.context(["outer": "o"]) {
            try await Checker().batch(values(10_000), numThreads: 256, disableProgressBar: true)
        }
        #expect(results.count == 10_000)
        #expect(results.failures.isEmpty)
        #expect(results.outputs.enumerated().allSatisfy { $0.element?.value.intValue == $0.offset && $0.element?.ok == true })
    }
}

@Suite struct AsyncifyTests {
    @Test func boundsConcurrencyByAsyncMaxWorkers() async throws {
        final class Gauge: Sendable {
            let running = Atomic<Int>(0), peak = Atomic<Int>(0)
        }
        let g = Gauge()
        let slow = asyncify { () -> Int in
            let now = g.running.add(1, ordering: .relaxed).newValue
            g.peak.max(now, ordering: .relaxed)
            // Hold the worker until the pool is full (or ten seconds have passed), so the peak
            // does not depend on how quickly a busy machine submits the jobs (one second was
            // not enough under a loaded thread-sanitizer run).
            for _ in 0..<10_000 where g.running.load(ordering: .relaxed) < 3 { usleep(1000) }
            usleep(5_000)
            g.running.subtract(1, ordering: .relaxed)
            return 1
        }
        let total = try await Settings.shared.context(["async_max_workers": 3]) {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<12 { group.addTask { try await slow() } }
                return try await group.reduce(0, +)
            }
        }
        #expect(total == 12)
        #expect(g.peak.load(ordering: .relaxed) == 3)
    }

    @Test func cancellingTheCallerReturnsWhileTheWorkerFinishes() async throws {
        final class Flag: Sendable { let started = Atomic<Bool>(false), release = Atomic<Bool>(false), done = Atomic<Bool>(false) }
        let flag = Flag()
        let blocking = asyncify { () -> Int in
            flag.started.store(true, ordering: .relaxed)
            while !flag.release.load(ordering: .relaxed) { usleep(1000) }  // held until the caller has returned
            flag.done.store(true, ordering: .relaxed)
            return 1
        }
        let task = Task { try await blocking() }
        while !flag.started.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(5)) }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(flag.done.load(ordering: .relaxed) == false)  // the caller returned while the worker still ran
        flag.release.store(true, ordering: .relaxed)
        while !flag.done.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(5)) }
    }

    @Test func syncModulesRunOnTheBlockingPool() async throws {
        struct Blocking: SyncModule {
            func forwardSync(_ inputs: Inputs) throws -> Prediction {
                usleep(1000)
                let fromAsync = try runBlocking { try await Predict("question -> answer")(question: "inner") }
                return Prediction(
                    ["answer": fromAsync.answer, "custom": Settings.shared.get("custom", as: String.self).map(Value.string) ?? .null] as Inputs)
            }
        }
        let p = try await Settings.shared.context(["custom": "c", "lm": try LM("dummy")]) { try await Blocking()(x: 1) }
        #expect(p.answer == "dummy answer for: inner" && p.custom == "c")
    }

    @Test func runBlockingRefusesInsideATask() async {
        #expect(throws: BlockingBridgeError.self) { try runBlocking { 1 } }
    }
}

@Suite struct RateLimitTests {
    @Test func httpLMsQueueBeyondTheirConnectionsThemselves() throws {
        #expect(try LM("openai/x", apiKey: "k").rateLimit.maxConcurrentRequests == 1024)
        #expect(try LM("openai/x", apiKey: "k", rateLimit: RateLimit(maxConcurrentRequests: 8)).rateLimit.maxConcurrentRequests == 8)
        #expect(try LM("openai/x", apiKey: "k", rateLimit: RateLimit(maxConcurrentRequests: 5000)).rateLimit.maxConcurrentRequests == 1024)
        #expect(try LM("openai/x", apiKey: "k", rateLimit: RateLimit(requestsPerSecond: 2)).rateLimit.requestsPerSecond == 2)
        #expect(try LM("dummy").rateLimit.maxConcurrentRequests == nil)
    }

    final class Gauge: LMBackend {
        let running = Atomic<Int>(0), peak = Atomic<Int>(0), calls = Atomic<Int>(0)
        let starts = Locked<[ContinuousClock.Instant]>([])
        let rateLimitFirst: Bool
        init(rateLimitFirst: Bool = false) { self.rateLimitFirst = rateLimitFirst }
        func complete(_ request: LMRequest, timeout: Duration) async throws -> LMResponse {
            let n = calls.add(1, ordering: .relaxed).newValue
            starts.withLock { $0.append(.now) }
            if rateLimitFirst && n == 1 {
                throw LMError(.rateLimit, "slow down", status: 429, retryAfter: 0.4)
            }
            let now = running.add(1, ordering: .relaxed).newValue
            peak.max(now, ordering: .relaxed)
            defer { running.subtract(1, ordering: .relaxed) }
            try await Task.sleep(for: .milliseconds(20))
            return LMResponse(choices: [LMChoice(text: "[[ ## answer ## ]]\nok")])
        }
    }

    @Test func maxConcurrentRequestsIsSharedByAllCallers() async throws {
        let backend = Gauge()
        let lm = LM(model: "gauge", backend: backend, rateLimit: RateLimit(maxConcurrentRequests: 3))
        let qa = try Predict("question -> answer", lm: lm)
        let copy = try Predict("question -> answer", lm: lm.copy(temperature: 0.5))
        async let a = qa.batch((0..<12).map { ["question": .string("a\($0)")] }, numThreads: 12, disableProgressBar: true)
        async let b = copy.batch((0..<12).map { ["question": .string("b\($0)")] }, numThreads: 12, disableProgressBar: true)
        let (ra, rb) = try await (a, b)
        #expect(ra.failures.isEmpty && rb.failures.isEmpty)
        #expect(backend.peak.load(ordering: .relaxed) <= 3)
    }

    @Test func retryAfterPausesTheWholeQueue() async throws {
        let backend = Gauge(rateLimitFirst: true)
        let lm = LM(model: "gauge", backend: backend, numRetries: 2, retryPolicy: RetryPolicy(initialBackoff: .milliseconds(1)))
        let qa = try Predict("question -> answer", lm: lm)
        let results = try await qa.batch((0..<6).map { ["question": .string("q\($0)")] }, numThreads: 6, disableProgressBar: true)
        #expect(results.failures.isEmpty)
        let starts = backend.starts.withLock { $0 }
        // Every request that started after the 429 waited out the 0.4 s pause.
        let first = starts[0]
        let late = starts.dropFirst().filter { $0 - first > .milliseconds(5) }
        #expect(late.allSatisfy { $0 - first >= .milliseconds(380) })
        #expect(backend.calls.load(ordering: .relaxed) == 7)
    }

    @Test func requestsPerSecondSpacesRequests() async throws {
        let backend = Gauge()
        let lm = LM(model: "gauge", backend: backend, rateLimit: RateLimit(requestsPerSecond: 20))
        let qa = try Predict("question -> answer", lm: lm)
        let clock = ContinuousClock()
        let elapsed = try await clock.measure {
            _ = try await qa.batch((0..<40).map { ["question": .string("q\($0)")] }, numThreads: 40, disableProgressBar: true)
        }
        #expect(elapsed >= .milliseconds(900))  // 20 burst, then 20 more at 20/s
    }
}

@Suite struct ParallelHTTPTests {
    @Test func cancellingABatchClosesEveryInFlightRequest() async throws {
        let server = try await LoopbackServer.start { _ in
            .delay(.seconds(30), then: .json(body: #"{"choices":[{"message":{"content":"[[ ## answer ## ]]\nlate"}}]}"#))
        }
        defer { server.shutdownNow() }
        let lm = try LM("openai/slow", apiBase: server.baseURL + "/v1", apiKey: "k", cache: false)
        let qa = try Predict("question -> answer", lm: lm)
        let run = Task { try await qa.batch((0..<8).map { ["question": .string("q\($0)")] }, numThreads: 8, disableProgressBar: true) }
        #expect(await server.waitUntil { $0.requests.count == 8 })
        let clock = ContinuousClock()
        let started = clock.now
        run.cancel()
        await #expect(throws: ParallelCancelledError.self) { try await run.value }
        let took = clock.now - started
        #expect(await server.waitUntil(timeout: .seconds(15)) { $0.closedWhilePending == 8 })
        #expect(server.requests.count == 8)  // nothing was retried after the cancel
        print("batch cancellation returned after \(took)")
    }
}
