// LM clients against a misbehaving server on 127.0.0.1 (issue 11): replies that stall, break,
// lie about their size, nest without end, echo the API key, or ask for absurd Retry-After
// waits. Every test bounds itself with a time limit, so a hang fails instead of blocking.

import Foundation
import OrderedCollections
import TestSupport
import Testing
@testable import DSPy

private let fastRetry = RetryPolicy(initialBackoff: .milliseconds(10), maxBackoff: .milliseconds(20), maxRetryAfter: .milliseconds(20))

/// A chat completion whose one choice is `text`.
private func completion(_ text: String) -> Reply {
    .json([
        "model": "m", "choices": [["index": 0, "message": ["role": "assistant", "content": .string(text)], "finish_reason": "stop"]],
        "usage": ["prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7],
    ])
}

private func lm(
    _ server: LoopbackServer, key: String = "sk-test", numRetries: Int = 0, timeout: Duration = .seconds(600),
    retryPolicy: RetryPolicy = fastRetry, cache: ResponseCache? = nil, maxResponseBytes: Int = LM.defaultMaxResponseBytes
) throws -> LM {
    try LM(
        "openai/test-model", apiBase: server.baseURL + "/v1", apiKey: key, numRetries: numRetries, cache: cache != nil,
        timeout: timeout, retryPolicy: retryPolicy, responseCache: try cache ?? ResponseCache(), maxResponseBytes: maxResponseBytes)
}

/// The LMError `body` throws; records an issue for anything else.
private func lmError<T>(_ body: () async throws -> T, sourceLocation: SourceLocation = #_sourceLocation) async -> LMError? {
    do {
        _ = try await body()
        Issue.record("expected an LMError, but the call succeeded", sourceLocation: sourceLocation)
    } catch let error as LMError {
        return error
    } catch {
        Issue.record("expected an LMError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// An OpenAI stream chunk carrying `text` for choice 0 (and a finish reason when given).
private func chunk(_ text: String?, finish: String? = nil) -> String {
    var delta: OrderedDictionary<String, Value> = [:]
    if let text { delta["content"] = .string(text) }
    return JSON.compact([
        "id": "c", "object": "chat.completion.chunk", "model": "m",
        "choices": [["index": 0, "delta": .object(delta), "finish_reason": finish.map(Value.string) ?? .null]],
    ])
}

private let answer = "[[ ## answer ## ]]\nParis\n\n[[ ## completed ## ]]"

/// Runs `qa` streamified on "q" and returns the prediction or the error.
private func streamed(_ qa: Predict) async throws -> Result<Prediction, any Error> {
    let stream = try streamify(qa, listeners: [StreamListener(fieldName: "answer")])
    var prediction: Prediction?
    do {
        for try await event in stream(question: "q") { if case .prediction(let p) = event { prediction = p } }
    } catch {
        return .failure(error)
    }
    guard let prediction else { return .failure(CancellationError()) }
    return .success(prediction)
}

@Suite("Hostile servers", .timeLimit(.minutes(2)))
struct HostileServerTests {

    // MARK: 6. Stalls

    @Test func aReplyThatStallsAfterItsHeadTimesOut() async throws {
        let server = try await LoopbackServer.start { _ in Hostile.stallAfterHead() }
        defer { server.shutdownNow() }
        // The timeout leaves the head ample time to arrive, even on a loaded machine (8 s was not
        // always enough under the thread sanitizer with the whole suite running).
        let error = try #require(await lmError { try await lm(server, timeout: .seconds(20)).call(messages: [.user("u")], parameters: [:]) })
        #expect(error.kind == .timeout)
        #expect(error.message.contains("sent its head, then stalled"), "\(error.message)")
        #expect(error.message.contains("within 20 s"))
        // The client closed the stalled connection rather than leaving it open.
        #expect(await server.waitUntil(timeout: .seconds(15)) { $0.closedWhilePending == 1 })
    }

    @Test func aReplyThatStallsMidBodyTimesOutAndIsRetried() async throws {
        let server = try await LoopbackServer.start { request in
            request.index == 0 ? Hostile.stallMidBody(#"{"choices": [{"index": 0, "message": {"content": "x"}}]}"#) : completion("second try")
        }
        defer { server.shutdownNow() }
        // The timeout leaves the second try ample time to answer, even on a loaded machine.
        let response = try await lm(server, numRetries: 1, timeout: .seconds(8)).call(messages: [.user("u")], parameters: [:])
        #expect(response.outputs == ["second try"])
        #expect(server.requests.count == 2)
    }

    @Test func aStreamThatStallsBetweenEventsTimesOut() async throws {
        let server = try await LoopbackServer.start { _ in Hostile.eventsThenStall([chunk("[[ ## answer ## ]]\nPar")]) }
        defer { server.shutdownNow() }
        // 20 s leaves the head and first event ample time under the thread sanitizer on a loaded
        // machine (at 3 s a full sanitizer run saw the head late, a timeout before data, and a retry).
        let qa = try Predict("question -> answer", lm: try lm(server, numRetries: 2, timeout: .seconds(20)))
        guard case .failure(let failure) = try await streamed(qa) else { Issue.record("a stalled stream succeeded"); return }
        let error = try #require(failure as? LMError, "\(failure)")
        #expect(error.kind == .streamInterrupted)  // a chunk was delivered: not retried
        #expect(error.message.contains("sent nothing for 20 s (after 1 event)"), "\(error.message)")
        #expect(server.requests.count == 1)
    }

    @Test func aStreamStallingBeforeItsFirstEventIsAnOrdinaryRetriedTimeout() async throws {
        let server = try await LoopbackServer.start { _ in Hostile.eventsThenStall([]) }
        defer { server.shutdownNow() }
        let qa = try Predict("question -> answer", lm: try lm(server, numRetries: 1, timeout: .seconds(2)))
        guard case .failure(let failure) = try await streamed(qa) else { Issue.record("a silent stream succeeded"); return }
        let error = try #require(failure as? LMError, "\(failure)")
        #expect(error.kind == .timeout && error.attempts == 2, "\(error)")
        // The second try's request was written; a server slowed by the sanitizer may record it late.
        #expect(await server.waitUntil(timeout: .seconds(15)) { $0.requests.count == 2 }, "\(server.requests.count) requests")
    }

    /// A slow but steady stream is not cut off: the timeout bounds each gap, not the whole stream.
    @Test func aLongStreamWithShortGapsIsNotTimedOut() async throws {
        let pieces = ["[[ ## answer ## ]]\n"] + "Paris".map(String.init) + ["\n\n"] + Array(repeating: "", count: 10) + ["[[ ## completed ## ]]"]
        var steps: [StreamStep] = []
        for p in pieces { steps += [.send("data: \(chunk(p))\n\n"), .pause(.milliseconds(500))] }
        steps += [.send("data: \(chunk(nil, finish: "stop"))\n\ndata: [DONE]\n\n")]
        let reply = Reply.stream(steps: steps)
        let server = try await LoopbackServer.start { _ in reply }
        defer { server.shutdownNow() }
        // The whole stream takes over 8 s; each gap is far below the 8 s timeout (which also leaves
        // the head ample time under the thread sanitizer on a loaded machine).
        let qa = try Predict("question -> answer", lm: try lm(server, timeout: .seconds(8)))
        let prediction = try await streamed(qa).get()
        #expect(prediction.answer == "Paris")
    }

    // MARK: 7. Replies

    @Test(arguments: [#"{"choices": []}"#, #"{"choices": [1, "two"]}"#, #"{"choices": [{"index": 0}]}"#])
    func emptyOrMalformedChoicesAreBadResponsesNeverCachedAndLoggedAsFailures(body: String) async throws {
        let server = try await LoopbackServer.start { _ in .json(status: 200, body: body) }
        defer { server.shutdownNow() }
        let dir = try temporaryDirectory("empty-choices")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cache = try ResponseCache(directory: dir)
        let log = try CallLog(path: dir + "/calls.sqlite")
        let settings = Settings()
        try settings.configure(["call_log": log])
        let model = try lm(server, cache: cache)
        let error = try #require(await lmError { try await settings.bind { try await model.call(messages: [.user("u")], parameters: [:]) } })
        #expect(error.kind == .badResponse)
        #expect(error.message.contains("choice list"), "\(error.message)")
        #expect(cache.statistics.diskEntries == 0 && cache.memoryCount == 0, "a bad reply was cached")
        let record = try #require(try log.recent(1).first)
        #expect(record.errorKind == "badResponse")
    }

    @Test func aStreamWithItsFinishReasonButNoDoneIsComplete() async throws {
        let events = [chunk(answer), chunk(nil, finish: "stop")]
        let server = try await LoopbackServer.start { request in
            switch request.index {
            // No [DONE], connection cut. The pause lets the last event arrive before the cut:
            // async-http-client drops body bytes that arrive in the same read as the close.
            case 0: return .stream(steps: StreamStep.events(events) + [.pause(.milliseconds(200)), .cut])
            case 1: return .stream(steps: StreamStep.events(events))  // no [DONE], body ends cleanly
            default: return .stream(steps: [.send("data: \(events[0])\n\ndata: \(events[1])\n")])  // the last blank line is missing too
            }
        }
        defer { server.shutdownNow() }
        let qa = try Predict("question -> answer", lm: try lm(server))
        for attempt in 0..<3 {
            let prediction = try await streamed(qa).get()
            #expect(prediction.answer == "Paris", "case \(attempt)")
        }
        #expect(server.requests.count == 3, "nothing was retried")
    }

    @Test func anAnthropicStreamCutAfterItsStopReasonIsComplete() async throws {
        let events: [(String, String)] = [
            ("message_start", #"{"type":"message_start","message":{"id":"m1","model":"claude","usage":{"input_tokens":5,"output_tokens":0}}}"#),
            (
                "content_block_delta",
                #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"[[ ## answer ## ]]\nParis\n\n[[ ## completed ## ]]"}}"#
            ),
            ("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":7}}"#),
        ]
        let server = try await LoopbackServer.start { _ in
            .stream(steps: events.map { .send("event: \($0.0)\ndata: \($0.1)\n\n") } + [.pause(.milliseconds(200)), .cut])  // see above
        }
        defer { server.shutdownNow() }
        let model = try LM("anthropic/claude", apiBase: server.baseURL + "/v1", apiKey: "ak-test", numRetries: 0, cache: false)
        let prediction = try await streamed(try Predict("question -> answer", lm: model)).get()
        #expect(prediction.answer == "Paris")
        #expect(server.requests.count == 1)
    }

    @Test func aStreamWithoutAnyChoiceIsABadResponse() async throws {
        let server = try await LoopbackServer.start { _ in .stream(steps: StreamStep.events([#"{"choices": []}"#, "[DONE]"])) }
        defer { server.shutdownNow() }
        guard case .failure(let failure) = try await streamed(try Predict("question -> answer", lm: try lm(server))) else {
            Issue.record("an empty stream gave a prediction"); return
        }
        let error = try #require(failure as? LMError)
        #expect(error.kind == .badResponse && error.message.contains("without any completion"), "\(error)")
    }

    @Test func aStreamingRequestAnsweredWithHTMLSaysSo() async throws {
        let server = try await LoopbackServer.start { _ in Hostile.wrongContentType("text/html", body: "<html>502 Bad Gateway</html>") }
        defer { server.shutdownNow() }
        guard case .failure(let failure) = try await streamed(try Predict("question -> answer", lm: try lm(server))) else {
            Issue.record("HTML gave a prediction"); return
        }
        let error = try #require(failure as? LMError)
        #expect(error.kind == .badResponse)
        #expect(error.message.contains("answered a streaming request with 'text/html', not an event stream: <html>502"), "\(error.message)")
        let plain = try #require(await lmError { try await lm(server).call(messages: [.user("u")], parameters: [:]) })
        #expect(plain.kind == .badResponse && plain.message.contains("did not send JSON"), "\(plain)")
        for type in ["text/event-stream; charset=utf-8", "text/plain", ""] { #expect(HTTPTransport.isEventStream(type), "\(type)") }
        for type in ["application/json", "text/html; charset=utf-8"] { #expect(!HTTPTransport.isEventStream(type), "\(type)") }
    }

    @Test func aReplyLargerThanTheLimitNamesTheLimitAndTheSetting() async throws {
        let server = try await LoopbackServer.start { request in
            request.json?["stream"].boolValue == true
                ? .stream(steps: StreamStep.events([chunk(String(repeating: "x", count: 3000)), chunk(String(repeating: "y", count: 3000))]))
                : Hostile.hugeReply(bytes: 10_000)
        }
        defer { server.shutdownNow() }
        let small = try lm(server, maxResponseBytes: 4096)
        let error = try #require(await lmError { try await small.call(messages: [.user("u")], parameters: [:]) })
        #expect(error.kind == .badResponse)
        #expect(error.message == "The reply from 127.0.0.1:\(server.port) was larger than 4 KB.")
        #expect(error.hint?.contains("max_response_bytes") == true)
        #expect(!error.description.contains("NIO") && !error.description.contains("Optional("), "\(error)")
        guard case .failure(let failure) = try await streamed(try Predict("question -> answer", lm: small)) else {
            Issue.record("an oversized stream succeeded"); return
        }
        #expect(String(describing: failure).contains("was larger than 4 KB"), "\(failure)")
    }

    /// The default limit and how it reads (a 64 MB transfer is left out: it would load a shared
    /// machine for seconds, and the small-limit test above exercises the same code).
    @Test func theDefaultLimitIs64MB() throws {
        #expect(try LM("openai/m", apiKey: "k").maxResponseBytes == 64 << 20)
        #expect(OpenAICompatibleBackend(apiBase: "http://x", apiKey: nil).maxResponseBytes == 64 << 20)
        #expect(AnthropicBackend(apiBase: "http://x", apiKey: nil).maxResponseBytes == 64 << 20)
        #expect(
            HTTPTransport.tooLarge(url: "http://h:1/v1", limit: LM.defaultMaxResponseBytes, model: "m").message
                == "The reply from h:1 was larger than 64 MB.")
        #expect(HTTPTransport.describeBytes(1000) == "1000 bytes" && HTTPTransport.describeBytes(1536 << 10) == "1536 KB")
    }

    @Test func malformedAndOversizedHeadsAndHalfBodiesAreNamedPlainly() async throws {
        let cases: [(Reply, LMError.Kind, String)] = [
            (Hostile.malformedHead(), .badResponse, "not valid HTTP/1.1"),
            (Hostile.hugeHeader(bytes: 200_000), .badResponse, "response headers larger than the client accepts"),
            (
                Hostile.halfBody(#"{"choices": [{"index": 0, "message": {"content": "x"}}]}"#), .transport,
                "closed the connection before the reply was complete"
            ),
        ]
        for (reply, kind, words) in cases {
            let server = try await LoopbackServer.start { _ in reply }
            defer { server.shutdownNow() }
            let error = try #require(await lmError { try await lm(server).call(messages: [.user("u")], parameters: [:]) })
            #expect(error.kind == kind, "\(error)")
            #expect(error.message.contains(words), "\(error.message)")
            #expect(!error.message.contains("HTTPParserError") && !error.message.contains("NIO"), "\(error.message)")
        }
    }

    @Test func aKeyWithALineBreakIsRefusedBeforeAnythingIsSent() async throws {
        let server = try await LoopbackServer.start { _ in completion("x") }
        defer { server.shutdownNow() }
        let error = try #require(
            await lmError { try await lm(server, key: "sk-secret\r\nX-Injected: yes").call(messages: [.user("u")], parameters: [:]) })
        #expect(error.kind == .configuration, "\(error)")
        #expect(error.message.contains("a header is invalid"), "\(error.message)")
        #expect(!String(describing: error).contains("sk-secret"))
        #expect(server.requests.isEmpty)
    }

    @Test func aCompressedReplyThatWasNotAskedForIsNamed() async throws {
        let server = try await LoopbackServer.start { _ in
            .wire([.text("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc")])
        }
        defer { server.shutdownNow() }
        let error = try #require(await lmError { try await lm(server).call(messages: [.user("u")], parameters: [:]) })
        #expect(error.kind == .badResponse, "\(error)")
        #expect(error.message.contains("compressed with gzip"), "\(error.message)")
        // The client asked for none.
        #expect(server.requests.first?.headers.filter { $0.name.lowercased() == "accept-encoding" }.map(\.value) == ["identity"])
    }

    // MARK: 4. Retry-After

    @Test func retryAfterParsing() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(HTTPTransport.parseRetryAfter("2", now: now) == 2)
        #expect(HTTPTransport.parseRetryAfter(" 1.5 ", now: now) == 1.5)
        #expect(HTTPTransport.parseRetryAfter("1e300", now: now) == Duration.maximumSeconds)
        #expect(HTTPTransport.parseRetryAfter("1e999", now: now) == Duration.maximumSeconds)
        #expect(HTTPTransport.parseRetryAfter("-5", now: now) == 0)
        for absent in ["inf", "Infinity", "nan", "NaN", "soon", "", "1.2.3", "--", "e"] {
            #expect(HTTPTransport.parseRetryAfter(absent, now: now) == nil, "\(absent)")
        }
        #expect(HTTPTransport.parseRetryAfter("Tue, 14 Nov 2023 22:13:30 GMT", now: now) == 10)  // 1_700_000_010
        #expect(HTTPTransport.parseRetryAfter("Tuesday, 14-Nov-23 22:13:30 GMT", now: now) == 10)
        #expect(HTTPTransport.parseRetryAfter("Tue Nov 14 22:13:30 2023", now: now) == 10)
        #expect(HTTPTransport.parseRetryAfter("Mon, 13 Nov 2023 00:00:00 GMT", now: now) == 0, "a past date means now")
        // Whatever the value, the wait is clamped to the policy's bound.
        let policy = RetryPolicy(maxRetryAfter: .seconds(120))
        #expect(policy.delay(attempt: 1, retryAfter: 1e300) == .seconds(120))
        #expect(policy.delay(attempt: 1, retryAfter: .infinity) == .seconds(120))
        #expect(policy.delay(attempt: 1, retryAfter: -1) == .zero)
        #expect(policy.delay(attempt: 1, retryAfter: .nan) == .zero)
    }

    @Test(arguments: ["1e300", "inf", "nan", "soon, maybe", "99999999999999999999999"])
    func anAbsurdRetryAfterIsSurvivedAndRetried(value: String) async throws {
        let server = try await LoopbackServer.start { request in request.index == 0 ? Hostile.retryAfter(value) : completion("ok") }
        defer { server.shutdownNow() }
        let response = try await lm(server, numRetries: 2).call(messages: [.user("u")], parameters: [:])
        #expect(response.outputs == ["ok"])
        #expect(server.requests.count == 2)
    }

    @Test func aRetryAfterLongerThanTheCallsTimeoutGivesUpAtOnce() async throws {
        let server = try await LoopbackServer.start { _ in Hostile.retryAfter("3600") }
        defer { server.shutdownNow() }
        let patient = RetryPolicy(initialBackoff: .milliseconds(10), maxBackoff: .milliseconds(20), maxRetryAfter: .seconds(7200))
        let error = try #require(
            await lmError {
                // A timeout the 429 itself always arrives within, even on a loaded machine.
                try await lm(server, numRetries: 5, timeout: .seconds(30), retryPolicy: patient).call(messages: [.user("u")], parameters: [:])
            })
        #expect(error.kind == .rateLimit)
        #expect(error.retryAfter == 3600)
        #expect(error.hint?.contains("asked to wait 3600 s (Retry-After), longer than this call's timeout (30 s) allows") == true, "\(error)")
        #expect(server.requests.count == 1)
    }

    @Test func oneBadRetryAfterInABatchOf200LosesNothing() async throws {
        let first = Locked(true)
        let server = try await LoopbackServer.start { request in
            let user = request.json?["messages"].arrayValue?.last?["content"].stringValue ?? ""
            let question = user.components(separatedBy: "[[ ## question ## ]]\n").last?.components(separatedBy: "\n").first ?? "?"
            if question == "q137",
                first.withLock({ f in
                    defer { f = false }; return f
                })
            {
                return Hostile.retryAfter("1e300")
            }
            return completion("[[ ## answer ## ]]\nA:\(question)\n\n[[ ## completed ## ]]")
        }
        defer { server.shutdownNow() }
        let qa = try Predict("question -> answer", lm: try lm(server, numRetries: 2))
        let results = try await qa.batch((0..<200).map { ["question": .string("q\($0)")] }, numThreads: 16, disableProgressBar: true)
        #expect(results.failures.isEmpty, "\(results.failures.prefix(3))")
        #expect(results.count == 200)
        for (i, item) in results.enumerated() { #expect(item.output?.answer.stringValue == "A:q\(i)") }
        #expect(server.requests.count == 201)
    }

    // MARK: 13. Every hostile mode

    /// Each mode of ``Hostile/catalog``, plain and streamed: the call ends (no hang, no crash)
    /// in an `LMError` that speaks plainly, never in a library's internal type or dump.
    @Test func everyHostileReplyEndsInAPlainError() async throws {
        for (name, reply) in Hostile.catalog {
            let server = try await LoopbackServer.start { _ in reply }
            defer { server.shutdownNow() }
            // A 1 MB limit: the huge reply is refused after its first megabyte, not after 64.
            let model = try lm(server, timeout: .seconds(2), maxResponseBytes: 1 << 20)
            let plain = await lmError { try await model.call(messages: [.user("u")], parameters: [:]) }
            var streamFailure: (any Error)?
            if case .failure(let e) = try await streamed(try Predict("question -> answer", lm: model)) { streamFailure = e }
            for (how, error) in [("plain", plain as (any Error)?), ("streamed", streamFailure)] {
                let text = error.map { String(describing: $0) } ?? "no error"
                #expect(error is LMError, "\(name), \(how): \(text)")
                for word in ["NIO", "Optional(", "HTTPParserError", "HTTPClientError", "ChannelError"] {
                    #expect(!text.contains(word), "\(name), \(how): \(text)")
                }
            }
        }
    }

    // MARK: 8. Keys

    @Test func anEchoedKeyIsScrubbedFromTheReplyCacheCassetteAndCallLog() async throws {
        let key = "sk-echo-9f8e7d6c5b4a"
        let encoded = "sk%2Decho%2D9f8e7d6c5b4a"
        let server = try await LoopbackServer.start { request in
            if request.json?["messages"].arrayValue?.last?["content"].stringValue == "fail" {
                return .json(status: 400, body: #"{"error": {"message": "bad request for key \#(encoded) (see /v1?key=\#(encoded))"}}"#)
            }
            return .json([
                "model": "m", "echo": .string("Bearer \(key)"), "url": .string("https://x/?k=\(encoded)"),
                "choices": [["index": 0, "message": ["role": "assistant", "content": .string("your key is \(key)")], "finish_reason": "stop"]],
            ])
        }
        defer { server.shutdownNow() }
        let dir = try temporaryDirectory("echoed-key")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cache = try ResponseCache(directory: dir)
        let log = try CallLog(path: dir + "/calls.sqlite")
        let cassette = try Cassette(recordingTo: dir + "/session.jsonl")
        let settings = Settings()
        try settings.configure(["call_log": log, "cassette": cassette])
        let model = try lm(server, key: key, cache: cache)

        let response = try await settings.bind { try await model.call(messages: [.user("hello")], parameters: [:]) }
        #expect(response.outputs == ["your key is <redacted>"])
        #expect(!JSON.compact(response.raw).contains(key) && !JSON.compact(response.raw).contains(encoded))
        let error = try #require(await lmError { try await settings.bind { try await model.call(messages: [.user("fail")], parameters: [:]) } })
        #expect(error.message.contains("bad request for key <redacted> (see /v1?key=<redacted>)"), "\(error.message)")
        #expect(!error.description.contains(encoded) && !error.description.contains(key))
        try cassette.close()

        // Nothing stored holds the key, in either form (SQLite files include their write-ahead logs).
        var files = try FileManager.default.contentsOfDirectory(atPath: dir).map { dir + "/" + $0 }
        files.removeAll { $0.hasSuffix("-shm") }
        #expect(files.contains { $0.hasSuffix("lm-cache.sqlite") } && files.contains { $0.hasSuffix("session.jsonl") })
        for file in files {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            for secret in [key, encoded, "9f8e7d6c5b4a"] {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret) is in \(file)")
            }
        }
        #expect(try log.recent(2).map(\.errorKind) == [nil, "invalidRequest"])
        #expect(try log.recent(2).first?.outputs == ["your key is <redacted>"])
    }

    @Test func theRedactorMatchesEveryEncodingOfAKey() {
        let r = Redactor(secrets: ["sk-AbC123", "sk-AbC123-long", nil, "abc"], environment: [:])
        #expect(r.scrub("x sk-AbC123 y") == "x <redacted> y")
        #expect(r.scrub("sk%2DAbC123") == "<redacted>")
        #expect(r.scrub("%73%6b%2d%41%62%43%31%32%33!") == "<redacted>!")
        #expect(r.scrub("sk-AbC123-long") == "<redacted>", "the longer key is hidden whole")
        #expect(r.scrub("sk-abc123") == "sk-abc123", "keys are case-sensitive; only hex digits are not")
        #expect(r.scrub("abc stays") == "abc stays", "secrets shorter than 4 bytes are ignored")
        #expect(r.scrub("%zz % %2") == "%zz % %2")
        #expect(Redactor(secrets: [], environment: ["OPENAI_API_KEY": "sk-from-env-1"]).scrub("k=sk-from-env-1") == "k=<redacted>")
        let v: Value = ["sk-AbC123": ["nested": "sk%2dAbC123"]]
        #expect(r.scrub(v) == ["<redacted>": ["nested": "<redacted>"]])
    }

    @Test func aReplyKeptAsTextIsScrubbedWhereverItsStringsHoldAKey() throws {
        let r = Redactor(secrets: ["sk-AbC123"], environment: [:])
        let clean = RawReply(json: #"{"id":"x","choices":[{"text":"hello\nworld"}]}"#)
        #expect(r.scrub(clean).jsonText != nil, "a reply without the key stays text")
        #expect(r.scrub(clean).value == ["id": "x", "choices": [["text": "hello\nworld"]]])
        let plain = RawReply(json: #"{"echo":"key sk-AbC123"}"#)
        #expect(r.scrub(plain).value == ["echo": "key <redacted>"])
        // Written with \u escapes the key is not in the text byte for byte, but it is in the string.
        let escaped = RawReply(json: #"{"echo":"\u0073k-AbC123"}"#)
        #expect(r.scrub(escaped).value == ["echo": "<redacted>"])
        // A key JSON writes escaped ("/" as "\/") is looked for in the parsed strings.
        let slashed = Redactor(secrets: ["sk/AbC123"], environment: [:])
        #expect(slashed.scrub(RawReply(json: #"{"echo":"sk\/AbC123"}"#)).value == ["echo": "<redacted>"])
    }
}
