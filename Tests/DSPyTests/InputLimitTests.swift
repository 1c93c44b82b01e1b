// Input that used to trap or exhaust the process (issue 11): history counts, Double→Duration and
// Double→Int conversions, huge `n`, deep nesting in every parser, and log lines.

import Foundation
import OrderedCollections
import TestSupport
import Testing
@testable import DSPy

/// The error `body` throws, as text; records an issue when it throws nothing.
private func errorText(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> String {
    do {
        try body()
        Issue.record("expected an error", sourceLocation: sourceLocation)
    } catch {
        return String(describing: error)
    }
    return ""
}

@Suite("Counts and conversions on input")
struct InputLimitTests {

    // MARK: 1. inspect_history

    @Test func inspectHistoryAcceptsNegativeAndHugeCounts() async throws {
        let lm = LM.dummy(answers: [["answer": "first"], ["answer": "second"]])
        let qa = try Predict("question -> answer", lm: lm)
        _ = try await qa(question: "q-one")
        _ = try await qa(question: "q-two")

        for n in [-1, -1000, Int.min] {
            #expect(lm.inspectHistory(n: n) == "")
            #expect(qa.inspectHistory(n: n) == "")
            #expect(inspectHistory(n: n) == "")
        }
        #expect(lm.inspectHistory(n: 0) == "")
        for n in [2, 3, 1_000_000, Int.max] {
            for text in [lm.inspectHistory(n: n), qa.inspectHistory(n: n)] {
                #expect(text.contains("q-one") && text.contains("q-two"), "n=\(n)")
                #expect(text.components(separatedBy: "Response:").count == 3, "both calls and no more, n=\(n)")
            }
            // The global history is shared with the tests running beside this one: only a count
            // that covers all of it is sure to reach back to this test's calls.
            if n >= 1_000_000 { #expect(inspectHistory(n: n).contains("q-two")) }
        }
        #expect(!lm.inspectHistory(n: 1).contains("q-one") && lm.inspectHistory(n: 1).contains("q-two"))
    }

    // MARK: 2. Double → Duration / Int

    @Test(arguments: [1e300, .nan, .infinity, -.infinity, -1, 1e10, 2e20])
    func outOfRangeSecondsAreErrorsNamingTheArgumentAndRange(seconds: Double) {
        #expect(throws: ArgumentRangeError.self) { try Duration(checkedSeconds: seconds, argument: "timeout") }
        let text = errorText { _ = try Duration(checkedSeconds: seconds, argument: "timeout") }
        #expect(text.hasPrefix("timeout must be a number of seconds from 0 to 1000000000, got "), "\(text)")
        #expect(text.hasSuffix(PythonFloat.repr(seconds)))
    }

    @Test func secondsInRangeConvertExactly() throws {
        #expect(try Duration(checkedSeconds: 2.5, argument: "timeout") == .milliseconds(2500))
        #expect(try Duration(checkedSeconds: 0, argument: "timeout") == .zero)
        #expect(try Duration(checkedSeconds: 1e9, argument: "timeout") == .seconds(1_000_000_000))
        #expect(try Duration(checkedSeconds: 0.000_000_001, argument: "t") == .nanoseconds(1))
        let custom = errorText { _ = try Duration(checkedSeconds: 0.5, argument: "retry_after", range: 1...60) }
        #expect(custom == "retry_after must be a number of seconds from 1 to 60, got 0.5")
        // Clamping (for values servers send) never traps either.
        #expect(Duration.clamping(seconds: 1e300) == .seconds(1_000_000_000))
        #expect(Duration.clamping(seconds: -.infinity) == .zero)
        #expect(Duration.clamping(seconds: .nan, to: 3...5) == .seconds(3))
    }

    @Test func checkedIntegers() throws {
        #expect(try Int(checked: 8.0, argument: "num_threads", range: 1...1024) == 8)
        for bad in [1e300, .nan, .infinity, 2.5, 0, 2048] {
            let text = errorText { _ = try Int(checked: bad, argument: "num_threads", range: 1...1024) }
            #expect(text == "num_threads must be an integer from 1 to 1024, got \(PythonFloat.repr(bad))")
        }
        #expect(
            errorText { _ = try Int.checked(-3, argument: "max_concurrent_requests", range: 1...Int.max) }
                == "max_concurrent_requests must be an integer of at least 1, got -3")
    }

    @Test func lmKnobsOutOfRangeAreRefusedByName() {
        let huge = errorText { _ = try LM("openai/m", apiKey: "k", timeout: .seconds(1e10)) }
        #expect(huge.hasPrefix("timeout must be a number of seconds from 0 to 1000000000"), "\(huge)")
        let negative = errorText { _ = try LM("openai/m", apiKey: "k", timeout: .seconds(-1)) }
        #expect(negative.hasPrefix("timeout must be"), "\(negative)")
        for rps in [1e-300, 0, -1, .nan, .infinity, 1e300] {
            let text = errorText { _ = try LM("openai/m", apiKey: "k", rateLimit: RateLimit(requestsPerSecond: rps)) }
            #expect(text == "requests_per_second must be a number of requests per second from 0.001 to 1000000, got \(PythonFloat.repr(rps))")
        }
        #expect(
            errorText { _ = try LM("openai/m", apiKey: "k", rateLimit: RateLimit(maxConcurrentRequests: 0)) }
                == "max_concurrent_requests must be an integer of at least 1, got 0")
        #expect(
            errorText { _ = try LM("openai/m", apiKey: "k", maxResponseBytes: 0) }
                == "max_response_bytes must be an integer of at least 1, got 0")
    }

    /// An LM on a custom backend is not checked at construction; its limiter must still not
    /// trap when the rate would make the wait overflow (the second call used to crash).
    @Test(.timeLimit(.minutes(1)))
    func aTinyRequestRateWaitsInsteadOfTrapping() async throws {
        let lm = LM(model: "m", backend: DummyBackend(), rateLimit: RateLimit(requestsPerSecond: 1e-300))
        _ = try await lm.call(messages: [.user("first")], parameters: [:])  // the burst token
        let second = Task { try await lm.call(messages: [.user("second")], parameters: [:]) }
        try await Task.sleep(for: .milliseconds(50))
        second.cancel()
        await #expect(throws: CancellationError.self) { _ = try await second.value }
    }

    /// Timeouts far beyond any clock's range (a Duration built in code) are clamped wherever
    /// the library waits: an HTTP call, a straggler timer, a batch.
    @Test(.timeLimit(.minutes(1)))
    func hugeDurationsNeverOverflowATimer() async throws {
        let server = try await LoopbackServer.start { _ in
            .json([
                "choices": [
                    [
                        "index": 0, "message": ["role": "assistant", "content": "[[ ## answer ## ]]\nok\n\n[[ ## completed ## ]]"],
                        "finish_reason": "stop",
                    ]
                ]
            ])
        }
        defer { server.shutdownNow() }
        let backend = OpenAICompatibleBackend(apiBase: server.baseURL + "/v1", apiKey: "k")
        for timeout in [Duration.seconds(1e10), .seconds(Int64.max), .seconds(1e20)] {
            let reply = try await backend.complete(LMRequest(model: "m", messages: [.user("u")]), timeout: timeout)
            #expect(reply.outputs.first?.contains("ok") == true)
        }

        let qa = try Predict("question -> answer", lm: LM.dummy(answers: [["answer": "a"], ["answer": "b"]]))
        let parallel = Parallel(numThreads: 2, disableProgressBar: true, timeout: .seconds(Int64.max))
        let x: Inputs = ["question": "x"], y: Inputs = ["question": "y"]
        let results = try await parallel([(qa as any Module, x), (qa as any Module, y)])
        #expect(results.failures.isEmpty && results.count == 2)
        let batch = try await qa.batch([["question": "z"]], disableProgressBar: true, timeout: .seconds(1e20))
        #expect(batch.failures.isEmpty)
    }

    @Test func aStoredCallDurationOfAnySizeReadsBack() async throws {
        let dir = try temporaryDirectory("calllog-duration")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = try CallLog(path: dir + "/calls.sqlite")
        let db = try SQLiteConnection(path: log.path)
        defer { db.close() }
        for seconds in [1e12, 1e300, -5, 0.25] {
            try db.run(
                "INSERT INTO calls(started, duration, model, messages, parameters, outputs, cache_hit) VALUES (0, ?, 'm', '[]', '{}', '[]', 0)",
                [.double(seconds)])
        }
        let durations = try log.recent(10).map(\.duration)
        #expect(durations == [.seconds(1_000_000_000), .seconds(1_000_000_000), .zero, .milliseconds(250)])
    }

    @Test func aSettingsFileWithAnAbsurdTimeoutIsRefusedByName() throws {
        let dir = try temporaryDirectory("settings-timeout")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/settings.json"
        let settings = Settings()
        try settings.configure(["lm": try LM("openai/m", apiKey: "k")])
        _ = try settings.save(to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("\"timeout\": 600.0"), "\(text)")
        try text.replacingOccurrences(of: "\"timeout\": 600.0", with: "\"timeout\": 1e300").write(toFile: path, atomically: true, encoding: .utf8)
        let error = errorText { _ = try Settings.load(from: path) }
        #expect(error.contains("timeout must be a number of seconds from 0 to 1000000000, got 1e+300"), "\(error)")
    }

    // MARK: 3. Counts

    @Test func aHugeNIsRefusedBeforeAnythingIsAllocated() async throws {
        let text = errorText { _ = try Predict("question -> answer", n: 2_147_483_648) }
        #expect(text == "n must be an integer from 1 to 128, got 2147483648")
        #expect(errorText { _ = try ChainOfThought("question -> answer", n: 0) } == "n must be an integer from 1 to 128, got 0")
        #expect(
            errorText { _ = try LM("openai/m", apiKey: "k", parameters: ["n": 1e12]) } == "n must be an integer from 1 to 128, got 1000000000000.0")

        // The non-throwing initializer: the call refuses it, before the LM is asked.
        let lm = LM.dummy(answers: [["answer": "a"]])
        let qa = Predict(try Signature("question -> answer"), lm: lm, n: 2_147_483_648)
        await #expect(throws: ArgumentRangeError.self) { _ = try await qa(question: "q") }
        await #expect(throws: ArgumentRangeError.self) { _ = try await lm.call(messages: [.user("u")], parameters: ["n": "many"]) }
        #expect(lm.history.isEmpty)
        // 128 completions are fine.
        let many = try await Predict("question -> answer", lm: LM("dummy"), n: 128)(question: "q")
        #expect(many.completions.count == 128)
    }

    // MARK: 5. Deep nesting

    @Test func deeplyNestedSignatureTypesAreAnErrorNotACrash() throws {
        let deep = "question -> answer: " + String(repeating: "list[", count: 5000) + "int" + String(repeating: "]", count: 5000)
        let text = errorText { _ = try Signature(deep) }
        #expect(text.contains("types are nested more than 64 levels deep"), "\(text.prefix(300))")
        #expect(text.count < 300, "the message quotes only the start of the signature")
        let unions = "a -> b: " + String(repeating: "Optional[", count: 3000) + "str" + String(repeating: "]", count: 3000)
        #expect(errorText { _ = try Signature(unions) }.contains("nested more than 64"))
        // Realistic nesting still parses.
        let fine = try Signature("a -> b: dict[str, list[tuple[int, Optional[list[str]]]]]")
        #expect(fine.outputFields.first?.type.pythonName.hasPrefix("dict[") == true)
    }

    @Test func deeplyNestedJSONIsAnErrorInEveryParser() async throws {
        for open in ["[", "{\"a\":", "("] {
            let text = String(repeating: open, count: 100_000)
            #expect(throws: JSONParseError.self) { try JSON.parse(text) }
            #expect(throws: JSONParseError.self) { try JSON.parseLenient(text) }
        }
        #expect(errorText { _ = try JSON.parse(String(repeating: "[", count: 100_000)) }.hasPrefix("nesting too deep"))
        // Just under the bound parses, here on the cooperative pool's (smaller) stack.
        let ok = String(repeating: "[", count: 511) + String(repeating: "]", count: 511)
        let parsed = try await Task { try JSON.parse(ok) }.value
        #expect(JSON.compact(parsed) == ok)
        // A typed output field parses the LM's text with the same bounded reader.
        #expect(throws: (any Error).self) { try FieldType.list(.int).parse(String(repeating: "[", count: 100_000)) }
        // So does the offline LM, which reads type expressions out of prompts.
        let deepField = "[[ ## answer ## ]]\n" + String(repeating: "[", count: 50_000)
        #expect(throws: (any Error).self) { try FieldType.dict(.string, .list(.int)).parse(deepField) }
    }

    @Test(.timeLimit(.minutes(1)))
    func deeplyNestedRepliesAndEventsAreBadResponses() async throws {
        let deep = String(repeating: "[", count: 200_000)
        let server = try await LoopbackServer.start { request in
            if request.json?["stream"].boolValue == true {
                return .stream(steps: [.send("data: {\"choices\": \(deep)\n\n")])
            }
            return .json(status: 200, body: "{\"choices\": \(deep)")
        }
        defer { server.shutdownNow() }
        let lm = try LM("openai/m", apiBase: server.baseURL + "/v1", apiKey: "k", numRetries: 0, cache: false)
        do {
            _ = try await lm.call(messages: [.user("u")], parameters: [:])
            Issue.record("a reply nested 200 000 deep was accepted")
        } catch let e as LMError {
            #expect(e.kind == .badResponse)
            #expect(e.message.contains("nesting too deep"), "\(e.message)")
        }
        let stream = try streamify(Predict("question -> answer", lm: lm))
        var streamError: (any Error)?
        do { for try await _ in stream(question: "q") {} } catch { streamError = error }
        let e = try #require(streamError as? LMError, "\(String(describing: streamError))")
        #expect(e.kind == .badResponse && e.message.contains("not JSON"), "\(e)")
    }

    // MARK: 12. Log lines

    @Test func parallelFailureLogsAreOneLineInDSPysWords() {
        let error = LMError(
            .badResponse, "The server at 127.0.0.1:9 did not send JSON: <html>", model: "openai/m",
            hint: "Is apiBase pointing at an OpenAI-compatible API (usually ending in /v1)?")
        let failure = ItemFailure(index: 3, input: ["question": "multi\nline"], error: error)
        let plain = ParallelLog.message(failure, traceback: false)
        #expect(!plain.contains("\n"))
        #expect(
            plain
                == "Error for item 3 {'question': 'multi\\nline'}: [openai/m] The server at 127.0.0.1:9 did not send JSON: <html> — hint: Is apiBase pointing at an OpenAI-compatible API (usually ending in /v1)? Set `provide_traceback=True` for traceback."
        )
        #expect(!plain.contains("?.") && !plain.contains(".."))
        let traced = ParallelLog.message(failure, traceback: true)
        #expect(!traced.contains("\n"))
        #expect(traced.hasPrefix("Error for item 3 {'question': 'multi\\nline'}: [openai/m] The server"))
        #expect(traced.contains("— traceback: LMError: "))
        // An error whose text ends without punctuation gets DSPy's ". Set ..." exactly.
        let bare = ItemFailure(index: 0, input: [:], error: CassetteError("boom"))
        #expect(ParallelLog.message(bare, traceback: false) == "Error for item 0 {}: boom. Set `provide_traceback=True` for traceback.")
    }

    @Test func everyLibraryWarningIsOneLine() throws {
        #expect(LogText.oneLine("first\n  second \r\nhint: do this\n\n") == "first second — hint: do this")
        #expect(LogText.sentence("ends here.", then: "Next.") == "ends here. Next.")
        // A disk cache that cannot be opened: the warning (and the error) name the file on one line.
        let dir = try temporaryDirectory("cache-file-in-the-way")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        FileManager.default.createFile(atPath: dir + "/blocker", contents: Data("x".utf8))
        do {
            _ = try ResponseCache(directory: dir + "/blocker")
            Issue.record("a cache directory that is a file was accepted")
        } catch {
            #expect(LogText.oneLine(String(describing: error)).contains("cannot open the response cache at \(dir)/blocker/lm-cache.sqlite"))
        }
    }
}
