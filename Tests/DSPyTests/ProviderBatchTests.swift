import Foundation
import OrderedCollections
import TestSupport
import Testing
@testable import DSPy

/// Two predictors in a row: each item takes two rounds of provider batches.
private struct TwoStep: Module {
    let topic: Predict
    let answer: Predict

    init() throws {
        topic = try Predict("question -> topic")
        answer = try Predict("topic -> answer")
    }

    func forward(_ inputs: Inputs) async throws -> Prediction {
        let t = try await topic.call(inputs)
        return try await answer.call(["topic": t.values["topic"] ?? .null])
    }
}

/// Fast polls, state in a fresh directory.
private func fastOptions(_ directory: String, maxRequests: Int? = nil) -> ProviderBatchOptions {
    ProviderBatchOptions(
        pollInterval: .milliseconds(1), maxPollInterval: .milliseconds(5), maxRequestsPerBatch: maxRequests, stateDirectory: directory)
}

private func openAILM(_ mock: ProviderBatchMock, cache: ResponseCache) throws -> LM {
    try LM("openai/gpt-batch", apiBase: mock.apiBase, apiKey: "sk-test-batch-key", responseCache: cache)
}

private func questions(_ n: Int) -> [Inputs] { (0..<n).map { ["question": .string("q\($0)")] } }

@Suite struct ProviderBatchTests {
    @Test func tenThousandItemsOfATwoStepModuleTakeTwoRoundsAndComeBackInOrder() async throws {
        let mock = try await ProviderBatchMock.start(answer: ProviderBatchMock.twoStepAnswer)
        defer { mock.server.shutdownNow() }
        let directory = try temporaryDirectory("batch-10k")
        let lm = try openAILM(mock, cache: try ResponseCache())
        let program = try TwoStep()
        let n = runsUnderThreadSanitizer ? 2_000 : 10_000
        // It takes a processor for a while: hold a CPU slot, as the fuzzers do.
        let (results, usage) = try await CPUShare.holding {
            try await context(.lm(lm)) {
                try await trackUsage {
                    try await program.batch(
                        questions(n), options: ParallelOptions(disableProgressBar: true), engine: .openAIBatch(fastOptions(directory)))
                }
            }
        }
        #expect(results.count == n)
        #expect(results.failures.isEmpty, "\(results.failures.prefix(3))")
        let wrong = (0..<n).filter { results[$0].output?.values["answer"] != .string("a-t-q\($0)") }
        #expect(wrong.isEmpty, "first wrong: \(wrong.prefix(3).map { results[$0] })")
        // One batch per step, every request answered once, the key never in a request body.
        #expect(mock.batches.map(\.requestCount) == [n, n])
        #expect(mock.answered.count == 2 * n && mock.answered.values.allSatisfy { $0 == 1 })
        #expect(!mock.server.requests.contains { $0.bodyString.contains("sk-test-batch-key") })
        #expect(mock.server.requests.allSatisfy { $0.header("Authorization") == "Bearer sk-test-batch-key" })
        // Usage is counted as for direct calls: 15 tokens a reply.
        #expect(usage.totals[lm.model]?.totalTokens == 2 * n * 15)
        // Both batches were read back: none is left open for a later run.
        let store = try ProviderBatchStore(directory: directory)
        #expect(try store.all().map(\.state) == ["done", "done"])
    }

    @Test func theCallersScopeReachesEveryLineAndIdenticalRequestsGoOnce() async throws {
        let mock = try await ProviderBatchMock.start(answer: ProviderBatchMock.twoStepAnswer)
        defer { mock.server.shutdownNow() }
        let lm = try openAILM(mock, cache: try ResponseCache())
        let qa = try Predict("question -> topic")
        let inputs = questions(5) + questions(5)  // each question twice
        let results = try await context(.lm(lm), .temperature(0.25)) {
            try await qa.batch(
                inputs, options: ParallelOptions(disableProgressBar: true), engine: .openAIBatch(fastOptions(try temporaryDirectory("scope"))))
        }
        #expect(results.outputs.map { $0?.values["topic"] } == (0..<10).map { .string("t-q\($0 % 5)") })
        #expect(mock.batches.count == 1)
        #expect(mock.batches.first?.requestCount == 5)
        #expect(mock.batches.first?.requests.allSatisfy { $0.body["temperature"] == .double(0.25) } == true)
    }

    @Test func largeRoundsAreSplitToTheLimits() async throws {
        let mock = try await ProviderBatchMock.start(answer: ProviderBatchMock.twoStepAnswer)
        defer { mock.server.shutdownNow() }
        let lm = try openAILM(mock, cache: try ResponseCache())
        let qa = try Predict("question -> topic")
        var options = fastOptions(try temporaryDirectory("split"), maxRequests: 20)
        let results = try await context(.lm(lm)) {
            try await qa.batch(questions(50), options: ParallelOptions(disableProgressBar: true), engine: .openAIBatch(options))
        }
        #expect(results.failures.isEmpty)
        #expect(mock.batches.map(\.requestCount).sorted() == [10, 20, 20])

        // By bytes: a limit smaller than any line puts each line in a batch of its own.
        options.maxRequestsPerBatch = nil
        options.maxBytesPerBatch = 1
        let before = mock.batches.count
        _ = try await context(.lm(lm)) {
            try await qa.batch(
                Array(questions(56).suffix(6)), options: ParallelOptions(disableProgressBar: true), engine: .openAIBatch(options))
        }
        #expect(mock.batches.dropFirst(before).map(\.requestCount) == [1, 1, 1, 1, 1, 1])
    }

    @Test func succeededErroredAndExpiredRequestsBecomeResultsAndFailures() async throws {
        let mock = try await ProviderBatchMock.start { _, body in
            switch ProviderBatchMock.field("question", in: body) {
            case "bad": return .error(status: 400, message: "this prompt is not allowed")
            case "late": return .expire
            case let q?: return .text(ProviderBatchMock.fieldsReply(["topic": "t-\(q)"]))
            case nil: return .error(status: 400, message: "unexpected prompt")
            }
        }
        defer { mock.server.shutdownNow() }
        let lm = try LM("anthropic/claude-batch", apiBase: mock.apiBase, apiKey: "ak-test", responseCache: try ResponseCache())
        let qa = try Predict("question -> topic")
        let inputs: [Inputs] = [["question": "ok"], ["question": "bad"], ["question": "late"], ["question": "fine"]]
        let results = try await context(.lm(lm)) {
            try await qa.batch(
                inputs, options: ParallelOptions(disableProgressBar: true), engine: .anthropicBatch(fastOptions(try temporaryDirectory("mixed"))))
        }
        #expect(results.outputs.map { $0?.values["topic"] } == [.string("t-ok"), nil, nil, .string("t-fine")])
        let failures = results.failures
        #expect(failures.map(\.index) == [1, 2])
        #expect(failures.first?.input == ["question": "bad"])
        let errors = failures.compactMap { $0.error as? LMError }
        #expect(errors.map(\.kind) == [.invalidRequest, .timeout])
        #expect(errors.first?.message.contains("this prompt is not allowed") == true)
        #expect(errors.last?.message.contains("expired") == true)
        #expect(errors.allSatisfy { $0.model == "anthropic/claude-batch" })
        #expect(mock.server.requests.allSatisfy { $0.header("x-api-key") == "ak-test" && $0.header("anthropic-version") != nil })

        // max_errors applies as in any batch.
        await #expect(throws: ParallelCancelledError.self) {
            try await context(.lm(lm)) {
                try await qa.batch(
                    [["question": "bad"], ["question": "late"]] + questions(3),
                    options: ParallelOptions(maxErrors: 1, disableProgressBar: true),
                    engine: .anthropicBatch(fastOptions(try temporaryDirectory("mixed2"))))
            }
        }
    }

    @Test func aBatchTheProviderRejectsFailsEveryItemWithItsReason() async throws {
        let mock = try await ProviderBatchMock.start(answer: ProviderBatchMock.twoStepAnswer)
        defer { mock.server.shutdownNow() }
        mock.failValidation(true)
        let lm = try openAILM(mock, cache: try ResponseCache())
        let qa = try Predict("question -> topic")
        let results = try await context(.lm(lm)) {
            try await qa.batch(
                questions(3), options: ParallelOptions(disableProgressBar: true),
                engine: .openAIBatch(fastOptions(try temporaryDirectory("rejected"))))
        }
        let errors = results.failures.compactMap { $0.error as? LMError }
        #expect(errors.count == 3)
        #expect(errors.allSatisfy { $0.kind == .invalidRequest && $0.message.contains("the model does not exist") })
    }

    @Test func cancellingTheRunCancelsTheProviderBatch() async throws {
        let mock = try await ProviderBatchMock.start(answer: ProviderBatchMock.twoStepAnswer)
        defer { mock.server.shutdownNow() }
        mock.hold(true)
        let directory = try temporaryDirectory("cancel")
        let lm = try openAILM(mock, cache: try ResponseCache())
        let qa = try Predict("question -> topic")
        let run = Task {
            try await context(.lm(lm)) {
                try await qa.batch(questions(4), options: ParallelOptions(disableProgressBar: true), engine: .openAIBatch(fastOptions(directory)))
            }
        }
        #expect(await mock.server.waitUntil(timeout: .seconds(120)) { _ in mock.batches.first?.polls ?? 0 >= 1 })
        run.cancel()
        let outcome = await run.result
        #expect(throws: ParallelCancelledError.self) { try outcome.get() }
        #expect(mock.cancelled == mock.batches.map(\.id))
        // A cancelled batch is not polled again by a later run.
        let store = try ProviderBatchStore(directory: directory)
        #expect(try store.all().map(\.state) == ["cancelled"])
        #expect(mock.answered.isEmpty)
    }

    @Test func aSecondRunTakesFinishedCallsFromTheCacheAndSubmitsOnlyTheRest() async throws {
        let mock = try await ProviderBatchMock.start(answer: ProviderBatchMock.twoStepAnswer)
        defer { mock.server.shutdownNow() }
        let directory = try temporaryDirectory("rerun")
        let lm = try openAILM(mock, cache: try ResponseCache(directory: directory))
        let qa = try Predict("question -> topic")
        let engine = BatchEngine.openAIBatch(fastOptions(directory))
        _ = try await context(.lm(lm)) { try await qa.batch(questions(6), options: ParallelOptions(disableProgressBar: true), engine: engine) }
        // The same program in a new process: a fresh cache object on the same file.
        let again = try openAILM(mock, cache: try ResponseCache(directory: directory))
        let results = try await context(.lm(again)) {
            try await qa.batch(questions(8), options: ParallelOptions(disableProgressBar: true), engine: engine)
        }
        #expect(results.outputs.map { $0?.values["topic"] } == (0..<8).map { .string("t-q\($0)") })
        #expect(mock.batches.map(\.requestCount) == [6, 2])
    }

    @Test func completionsAreOneRequestForOpenAIAndOneLineEachForAnthropic() async throws {
        let mock = try await ProviderBatchMock.start(answer: ProviderBatchMock.twoStepAnswer)
        defer { mock.server.shutdownNow() }
        let qa = try Predict("question -> topic", n: 3)
        let openAI = try openAILM(mock, cache: try ResponseCache())
        let a = try await context(.lm(openAI)) {
            try await qa.batch(
                [["question": "q1"]], options: ParallelOptions(disableProgressBar: true),
                engine: .openAIBatch(fastOptions(try temporaryDirectory("n1"))))
        }
        #expect(a[0].output?.completions.count == 3)
        #expect(mock.batches.last?.requests.map { $0.body["n"] } == [.int(3)])
        let anthropic = try LM("anthropic/claude-batch", apiBase: mock.apiBase, apiKey: "ak", responseCache: try ResponseCache())
        let qa2 = try Predict("question -> topic", n: 2)
        let b = try await context(.lm(anthropic)) {
            try await qa2.batch(
                [["question": "q1"]], options: ParallelOptions(disableProgressBar: true),
                engine: .anthropicBatch(fastOptions(try temporaryDirectory("n2"))))
        }
        #expect(b[0].output?.completions.count == 2)
        #expect(mock.batches.last?.requestCount == 2)
        #expect(mock.batches.last?.requests.allSatisfy { $0.body["n"].isNull } == true)
    }

    @Test func anLMTheEngineCannotCarryIsAnItemFailureThatSaysWhichEngineToUse() async throws {
        let mock = try await ProviderBatchMock.start(answer: ProviderBatchMock.twoStepAnswer)
        defer { mock.server.shutdownNow() }
        let qa = try Predict("question -> topic")
        let lm = try LM("anthropic/claude-batch", apiBase: mock.apiBase, apiKey: "ak", responseCache: try ResponseCache())
        let results = try await context(.lm(lm)) {
            try await qa.batch(
                questions(2), options: ParallelOptions(disableProgressBar: true), engine: .openAIBatch(fastOptions(try temporaryDirectory("wrong"))))
        }
        let error = try #require(results.failures.first?.error as? BatchEngineError)
        #expect(error.kind == .unsupportedLM)
        #expect(error.hints.first?.contains("anthropic-batch") == true)
        #expect(mock.batches.isEmpty)

        // The offline LM has no batch API: its calls simply run.
        let offline = try await context(.lm(try LM("dummy"))) {
            try await qa.batch(questions(2), options: ParallelOptions(disableProgressBar: true), engine: .openAIBatch())
        }
        #expect(offline.failures.isEmpty)
    }

    @Test func pollsBackOffAndWaitAsLongAsRetryAfterAsks() async throws {
        let mock = try await ProviderBatchMock.start(pollsInProgress: 2, answer: ProviderBatchMock.twoStepAnswer)
        defer { mock.server.shutdownNow() }
        let clock = ManualClock()
        let lm = try openAILM(mock, cache: try ResponseCache())
        let qa = try Predict("question -> topic")
        let options = ProviderBatchOptions(pollInterval: .seconds(10), maxPollInterval: .seconds(20), stateDirectory: try temporaryDirectory("poll"))
        let run = Task {
            try await context(.lm(lm), .clock(clock)) {
                try await qa.batch(questions(2), options: ParallelOptions(disableProgressBar: true), engine: .openAIBatch(options))
            }
        }
        // 10 s, then 15 s, then 20 s (the cap), then the server's Retry-After (45 s).
        for expected in [10, 15, 20] {
            await clock.waitUntilSleeping { $0 == 1 }
            #expect(clock.requested.last == .seconds(expected))
            if expected == 20 { mock.throttlePolls(1, retryAfter: 45) }
            clock.advance(by: .seconds(expected))
        }
        await clock.waitUntilSleeping { $0 == 1 }
        #expect(clock.requested.last == .seconds(45))
        clock.advance(by: .seconds(45))
        // The batch is finalizing now; one more poll (at the cap) finds it completed.
        await clock.waitUntilSleeping { $0 == 1 }
        #expect(clock.requested.last == .seconds(20))
        clock.advance(by: .seconds(20))
        let results = try await run.value
        #expect(results.outputs.map { $0?.values["topic"] } == [.string("t-q0"), .string("t-q1")])
    }

    @Test func evaluateRunsOnAProviderEngine() async throws {
        let mock = try await ProviderBatchMock.start(answer: ProviderBatchMock.twoStepAnswer)
        defer { mock.server.shutdownNow() }
        let lm = try openAILM(mock, cache: try ResponseCache())
        let qa = try Predict("question -> topic")
        let dev = (0..<6).map { Example(["question": .string("q\($0)"), "topic": .string($0 < 4 ? "t-q\($0)" : "other")]).withInputs("question") }
        let metric = Metric("topic_match", passes: { example, prediction, _ in example.values["topic"] == prediction.values["topic"] })
        let result = try await context(.lm(lm)) {
            try await Evaluate(devset: dev, metric: metric, engine: .openAIBatch(fastOptions(try temporaryDirectory("evaluate"))))(qa)
        }
        #expect(abs(result.score - 66.67) < 0.01)
        #expect(mock.batches.map(\.requestCount) == [6])
    }

    @Test func enginesByNameAndOptionsOutOfRange() throws {
        #expect(try BatchEngine.named("openai-batch") == .openAIBatch())
        #expect(try BatchEngine.named("threads") == .threads)
        let error = #expect(throws: BatchEngineError.self) { try BatchEngine.named("gpu-batch") }
        #expect(error?.kind == .unknownEngine)
        #expect(error?.hints.first?.contains("\"anthropic-batch\"") == true)
        #expect(throws: BatchEngineError.self) { try ProviderBatchOptions(maxItemsInFlight: 0).validated() }
        #expect(throws: BatchEngineError.self) { try ProviderBatchOptions(pollInterval: .seconds(5), maxPollInterval: .seconds(1)).validated() }
    }
}
