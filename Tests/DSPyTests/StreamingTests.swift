// Streaming: the server-sent-event parser, OpenAI and Anthropic event streams against a real
// socket (bodies written in separate packets), field listeners, `streamify`, interrupted
// streams, retries before the first byte, parallel streams, the cache, and cancellation.

import Foundation
import OrderedCollections
import TestSupport
import Testing
@testable import DSPy

private let fastRetry = RetryPolicy(initialBackoff: .milliseconds(10), maxBackoff: .milliseconds(20))

/// A deterministic generator (SplitMix64) for reproducible "random" splits.
private struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// `bytes` cut into pieces at random places (so lines, `\r\n` pairs and UTF-8 sequences split).
private func randomSplits(_ bytes: [UInt8], seed: UInt64, maxPiece: Int = 7) -> [[UInt8]] {
    var g = SeededGenerator(state: seed)
    var out: [[UInt8]] = []
    var i = 0
    while i < bytes.count {
        let n = Int.random(in: 1...maxPiece, using: &g)
        out.append(Array(bytes[i..<min(bytes.count, i + n)]))
        i += n
    }
    return out
}

/// An OpenAI `chat.completion.chunk` event for one text piece (or the finishing chunk).
private func openAIChunk(_ text: String?, finish: String? = nil) -> String {
    var delta: OrderedDictionary<String, Value> = [:]
    if let text { delta["content"] = .string(text) }
    let choice: Value = ["index": 0, "delta": .object(delta), "finish_reason": finish.map(Value.string) ?? .null]
    return JSON.compact(["id": "chatcmpl-1", "object": "chat.completion.chunk", "model": "m", "choices": [choice]])
}

/// A whole OpenAI event stream for `pieces`, with a usage chunk when asked, cut into packets at
/// random byte offsets (seeded), with a short pause between packets.
private func openAIStream(_ pieces: [String], usage: (Int, Int)? = nil, seed: UInt64 = 1) -> Reply {
    var events = pieces.map { openAIChunk($0) }
    events.append(openAIChunk(nil, finish: "stop"))
    if let (p, c) = usage {
        events.append(
            JSON.compact([
                "id": "chatcmpl-1", "object": "chat.completion.chunk", "model": "m", "choices": [],
                "usage": ["prompt_tokens": .int(p), "completion_tokens": .int(c), "total_tokens": .int(p + c)],
            ]))
    }
    events.append("[DONE]")
    let body = Array(events.map { "data: \($0)\n\n" }.joined().utf8)
    var steps: [StreamStep] = []
    for packet in randomSplits(body, seed: seed, maxPiece: 40) {
        steps.append(.sendBytes(packet))
        steps.append(.pause(.milliseconds(2)))
    }
    return .stream(steps: steps)
}

private func chatCompletion(_ text: String) -> Reply {
    .json([
        "model": "m", "choices": [["index": 0, "message": ["role": "assistant", "content": .string(text)], "finish_reason": "stop"]],
        "usage": ["prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7],
    ])
}

/// The field text is split inside the markers and inside a UTF-8 character's neighbourhood.
private let answerText = "Paris is the capital, naïve café 🙂 — [bracketed] text."
private let streamedReply = "[[ ## answer ## ]]\n" + answerText + "\n\n[[ ## completed ## ]]"
private let replyPieces = [
    "[[ ## ans", "wer ## ]]", "\nParis is", " the capital, na", "ïve café 🙂", " — [brack", "eted] text.", "\n\n[", "[ ## comp", "leted ## ]]",
]

private func openAI(_ server: LoopbackServer, cache: Bool = false, numRetries: Int = 3) throws -> LM {
    try LM(
        "openai/test-model", apiBase: server.baseURL + "/v1", apiKey: "sk-test", numRetries: numRetries, cache: cache,
        retryPolicy: fastRetry)
}

/// Everything a stream yielded, and how it ended.
private struct Collected {
    var events: [StreamEvent] = []
    var error: (any Error)?
    var chunks: [StreamResponse] { events.compactMap { if case .chunk(let c) = $0 { c } else { nil } } }
    var statuses: [String] { events.compactMap { if case .status(let s) = $0 { s } else { nil } } }
    var prediction: Prediction? { events.compactMap { if case .prediction(let p) = $0 { p } else { nil } }.last }
    func text(_ field: String) -> String { chunks.filter { $0.fieldName == field }.map(\.chunk).joined() }
}

private func collect(_ stream: AsyncThrowingStream<StreamEvent, any Error>) async -> Collected {
    var c = Collected()
    do {
        for try await e in stream { c.events.append(e) }
    } catch {
        c.error = error
    }
    return c
}

/// Streams `qa`'s answer to "q" with `track_usage` on, in settings of its own.
private func streamAnswerTrackingUsage(_ qa: Predict) async throws -> Collected {
    let settings = Settings()
    return try await settings.bind {
        try await settings.context(["track_usage": true]) {
            await collect(try streamify(qa, listeners: [StreamListener(fieldName: "answer")])(question: "q"))
        }
    }
}

@Suite("Streaming")
struct StreamingTests {

    // MARK: Server-sent events

    @Test func sseParserGivesTheSameEventsForAnySplit() throws {
        let text =
            "\u{FEFF}: a comment\r\nevent: message_start\r\ndata: {\"a\":1}\r\n\r\n"
            + "data: line one\ndata:line two\nid: 7\n\n"
            + "retry: 10\nunknown: x\ndata\n\n"
            + "event: content_block_delta\rdata: caf\u{E9} \u{1F642}\r\r"
            + ": keep-alive\n\n"
            + "data: [DONE]\n\n"
            + "data: unterminated"
        let bytes = Array(text.utf8)
        var whole = ServerSentEventParser()
        let expected = whole.feed(bytes) + whole.finish()
        #expect(
            expected == [
                ServerSentEvent(event: "message_start", data: "{\"a\":1}"),
                ServerSentEvent(data: "line one\nline two", id: "7"),
                ServerSentEvent(data: "", id: "7"),
                ServerSentEvent(event: "content_block_delta", data: "caf\u{E9} \u{1F642}", id: "7"),
                ServerSentEvent(data: "[DONE]", id: "7"),
            ])
        #expect(expected.last?.isDone == true)

        var byteByByte = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        for b in bytes { events += byteByByte.feed([b]) }
        events += byteByByte.finish()
        #expect(events == expected)

        for seed in UInt64(1)...200 {
            var p = ServerSentEventParser()
            var got: [ServerSentEvent] = []
            for piece in randomSplits(bytes, seed: seed) { got += p.feed(piece) }
            got += p.finish()
            #expect(got == expected, "seed \(seed)")
        }
    }

    // MARK: Listeners

    @Test func chatListenerHoldsBackMarkersAndTrailingSpace() {
        var m = FieldStreamMatcher(field: "answer", json: false)
        var out: [(String, Bool)] = []
        for piece in ["[[ ## reasoning ## ]]\nthink [[ ", "## answer ## ]]", "\n  ", "Hello ", "[x] ", "wor", "ld\n", "\n[", "[ ## completed ## ]]"] {
            out += m.feed(piece)
        }
        out += m.finish()
        #expect(out.map(\.0).joined() == "Hello [x] world")
        #expect(out.filter(\.1).count == 1)
        #expect(out.last?.1 == true)
        // Nothing emitted may end in text that could start the next marker.
        #expect(!out.dropLast().contains { $0.0.hasSuffix("[") || $0.0.hasSuffix(" ") })
    }

    @Test func jsonListenerUnescapesSplitStrings() {
        let reply =
            "{\n  \"reasoning\": \"the \\\"answer\\\" key\",\n  \"answer\": \"caf\\u00e9 \\ud83d\\ude42 line\\nnext \\\\ end\",\n  \"n\": 3\n}"
        let expected = "caf\u{E9} \u{1F642} line\nnext \\ end"
        // Split by characters (what backends hand over), at every position.
        let chars = Array(reply)
        for cut in 1..<chars.count {
            var m = FieldStreamMatcher(field: "answer", json: true)
            var out = m.feed(String(chars[..<cut]))
            out += m.feed(String(chars[cut...]))
            out += m.finish()
            #expect(out.map(\.0).joined() == expected, "cut at \(cut)")
            #expect(out.filter(\.1).count == 1, "cut at \(cut)")
        }
        var numbers = FieldStreamMatcher(field: "n", json: true)
        let n = numbers.feed(reply) + numbers.finish()
        #expect(n.map(\.0).joined() == "3")
    }

    // MARK: OpenAI-compatible

    @Test func openAIStreamWithSplitMarkersReassemblesTheField() async throws {
        let server = try await LoopbackServer.start { request in
            request.json?["stream"] == true ? openAIStream(replyPieces, seed: 42) : chatCompletion(streamedReply)
        }
        defer { server.shutdownNow() }
        let lm = try openAI(server)
        let qa = try Predict("question -> answer", lm: lm)
        let plain = try await qa(question: "Capital of France?")

        let stream = try streamify(qa, listeners: [StreamListener(fieldName: "answer")])
        let got = await collect(stream(question: "Capital of France?"))
        #expect(got.error == nil)
        #expect(got.text("answer") == answerText)
        #expect(got.chunks.count > 1)
        #expect(got.chunks.filter(\.isLastChunk).count == 1)
        #expect(got.chunks.last?.isLastChunk == true)
        #expect(Set(got.chunks.map(\.predictName)) == ["self"])
        #expect(Set(got.chunks.map(\.callID)).count == 1)
        #expect(got.prediction?.values == plain.values)
        if case .prediction = got.events.last {} else { Issue.record("the prediction must come last: \(got.events)") }

        let requests = server.requests
        try #require(requests.count == 2)
        #expect(requests[1].json?["stream"] == true)
        #expect(requests[1].header("accept") == "text/event-stream")
        #expect(requests[1].json?["stream_options"]["include_usage"] == true)  // always asked, as DSPy does
        // The history records the rebuilt response, like a plain call's.
        #expect(lm.history.last?.response.outputs == [streamedReply])
    }

    @Test func usageFromTheFinalChunkReachesTheTracker() async throws {
        let server = try await LoopbackServer.start { _ in openAIStream(replyPieces, usage: (11, 13)) }
        defer { server.shutdownNow() }
        let lm = try openAI(server)
        let got = try await streamAnswerTrackingUsage(Predict("question -> answer", lm: lm))
        #expect(got.error == nil)
        #expect(got.text("answer") == answerText)
        let usage = try #require(got.prediction?.lmUsage?["openai/test-model"])
        #expect(usage.promptTokens == 11)
        #expect(usage.completionTokens == 13)
        #expect(usage.totalTokens == 24)
        #expect(server.requests.first?.json?["stream_options"]["include_usage"] == true)
    }

    // MARK: Anthropic

    @Test func anthropicEventStream() async throws {
        func event(_ name: String, _ data: Value) -> StreamStep { .send("event: \(name)\ndata: \(JSON.compact(data))\n\n") }
        var steps: [StreamStep] = [
            event(
                "message_start",
                [
                    "type": "message_start",
                    "message": [
                        "id": "msg_1", "model": "claude-x",
                        "usage": ["input_tokens": 21, "output_tokens": 1],
                    ],
                ]),
            event("content_block_start", ["type": "content_block_start", "index": 0, "content_block": ["type": "text", "text": ""]]),
            .send(": ping\n\n"),
        ]
        for piece in replyPieces {
            steps.append(
                event("content_block_delta", ["type": "content_block_delta", "index": 0, "delta": ["type": "text_delta", "text": .string(piece)]]))
            steps.append(.pause(.milliseconds(2)))
        }
        steps += [
            event("content_block_stop", ["type": "content_block_stop", "index": 0]),
            event("message_delta", ["type": "message_delta", "delta": ["stop_reason": "end_turn"], "usage": ["output_tokens": 17]]),
            event("message_stop", ["type": "message_stop"]),
        ]
        let allSteps = steps
        let server = try await LoopbackServer.start { _ in .stream(steps: allSteps) }
        defer { server.shutdownNow() }
        let lm = try LM("anthropic/claude-x", apiBase: server.baseURL + "/v1", apiKey: "k", cache: false, retryPolicy: fastRetry)
        let got = try await streamAnswerTrackingUsage(Predict("question -> answer", lm: lm))
        #expect(got.error == nil)
        #expect(got.text("answer") == answerText)
        #expect(got.chunks.last?.isLastChunk == true)
        #expect(got.prediction?.answer == Value.string(answerText))
        let usage = try #require(got.prediction?.lmUsage?["anthropic/claude-x"])
        #expect(usage.promptTokens == 21)
        #expect(usage.completionTokens == 17)
        let request = try #require(server.requests.first)
        #expect(request.path == "/v1/messages")
        #expect(request.json?["stream"] == true)
        #expect(lm.history.last?.response.choices.first?.finishReason == "stop")
    }

    @Test func anthropicErrorEventBeforeAnyTextIsRetried() async throws {
        let calls = Locked(0)
        let server = try await LoopbackServer.start { _ in
            let n = calls.withLock {
                $0 += 1; return $0
            }
            if n == 1 {
                return .stream(steps: [
                    .send("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n")
                ])
            }
            return .stream(steps: [
                .send("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":1}}}\n\n"),
                .send(
                    "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"[[ ## answer ## ]]\\nok\"}}\n\n"
                ),
                .send("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"),
            ])
        }
        defer { server.shutdownNow() }
        let lm = try LM("anthropic/claude-x", apiBase: server.baseURL + "/v1", apiKey: "k", cache: false, retryPolicy: fastRetry)
        let got = await collect(
            try streamify(try Predict("question -> answer", lm: lm), listeners: [StreamListener(fieldName: "answer")])(question: "q"))
        #expect(got.error == nil)
        #expect(got.text("answer") == "ok")
        #expect(server.requests.count == 2)
    }

    // MARK: Broken streams and retries

    @Test func aStreamCutMidFieldEndsWithATypedErrorAndIsNotCached() async throws {
        let question = "cut-\(UUID().uuidString)"
        let cutNow = Locked(true)
        let server = try await LoopbackServer.start { _ in
            if cutNow.withLock({ $0 }) {
                return .stream(
                    steps: StreamStep.events(["[[ ## answer ## ]]\nPar", "is is the", " capital"].map { openAIChunk($0) })
                        + [.pause(.milliseconds(200)), .cut])  // the pause: see HostileServerTests
            }
            return openAIStream(replyPieces)
        }
        defer { server.shutdownNow() }
        let lm = try openAI(server, cache: true)
        let qa = try Predict("question -> answer", lm: lm)
        let stream = try streamify(qa, listeners: [StreamListener(fieldName: "answer")])
        let got = await collect(stream(question: question))

        #expect(got.text("answer").hasPrefix("Paris is the"))
        #expect(got.chunks.allSatisfy { !$0.isLastChunk })
        #expect(got.prediction == nil)
        let error = try #require(got.error as? LMError, "got \(String(describing: got.error))")
        #expect(error.kind == .streamInterrupted)
        #expect(error.isRetryable == false)
        #expect(error.description.contains("not retried"))
        #expect(server.requests.count == 1)  // not retried

        // Nothing was cached: the next call goes to the server again.
        cutNow.withLock { $0 = false }
        let again = await collect(stream(question: question))
        #expect(again.error == nil)
        #expect(again.text("answer") == answerText)
        #expect(server.requests.count == 2)
    }

    @Test func aStalledStreamTimesOutWithTheRightKind() async throws {
        // Stalls after the first field's text: chunks were delivered, so it is an interruption.
        let afterText = try await LoopbackServer.start { _ in
            .stream(
                steps: StreamStep.events(["[[ ## answer ## ]]\nhalf an ans", "wer and then "].map { openAIChunk($0) })
                    + [.pause(.seconds(60))])
        }
        defer { afterText.shutdownNow() }
        // The timeout leaves the first chunks ample time to arrive even under the thread sanitizer
        // on a loaded machine (at 3 s and at 8 s full sanitizer runs saw the head late and a retry).
        let slow = try LM(
            "openai/test-model", apiBase: afterText.baseURL + "/v1", apiKey: "sk-test", numRetries: 2, cache: false,
            timeout: .seconds(20), retryPolicy: fastRetry)
        let stream = try streamify(Predict("question -> answer", lm: slow), listeners: [StreamListener(fieldName: "answer")])
        let got = await collect(stream(question: "q"))
        #expect(got.text("answer").hasPrefix("half an answer"))
        let interrupted = try #require(got.error as? LMError, "got \(String(describing: got.error))")
        #expect(interrupted.kind == .streamInterrupted)
        #expect(interrupted.message.contains("sent nothing for 20 s (after 2 events)"), "\(interrupted.message)")
        #expect(afterText.requests.count == 1)

        // Stalls before any data: an ordinary timeout, retried like any other.
        let beforeText = try await LoopbackServer.start { _ in .stream(steps: [.pause(.seconds(60))]) }
        defer { beforeText.shutdownNow() }
        // Long enough for each try to connect and write its request to a server busy with the
        // whole suite: the timeout counts from before the connection, and under the thread
        // sanitizer 300 ms, and once 2 s, left the retry no time to send its request.
        let silent = try LM(
            "openai/test-model", apiBase: beforeText.baseURL + "/v1", apiKey: "sk-test", numRetries: 1, cache: false,
            timeout: .seconds(5), retryPolicy: fastRetry)
        let quiet = await collect(
            try streamify(Predict("question -> answer", lm: silent), listeners: [StreamListener(fieldName: "answer")])(question: "q"))
        #expect(quiet.chunks.isEmpty)
        let timeout = try #require(quiet.error as? LMError, "got \(String(describing: quiet.error))")
        #expect(timeout.kind == .timeout)
        #expect(timeout.attempts == 2)
        // The second try's request was written; a server slowed by the sanitizer may record it late.
        #expect(await beforeText.waitUntil(timeout: .seconds(15)) { $0.requests.count == 2 }, "\(beforeText.requests.count) requests")
    }

    @Test func aFailureBeforeTheFirstChunkIsRetried() async throws {
        let calls = Locked(0)
        let server = try await LoopbackServer.start { _ in
            let n = calls.withLock {
                $0 += 1; return $0
            }
            switch n {
            case 1: return .json(status: 500, body: #"{"error": {"message": "boom"}}"#)
            case 2: return .stream(steps: [.cut])  // headers, then nothing
            default: return openAIStream(replyPieces)
            }
        }
        defer { server.shutdownNow() }
        let qa = try Predict("question -> answer", lm: try openAI(server))
        let got = await collect(try streamify(qa, listeners: [StreamListener(fieldName: "answer")])(question: "q"))
        #expect(got.error == nil)
        #expect(got.text("answer") == answerText)
        #expect(Set(got.chunks.map(\.callID)).count == 1)
        #expect(server.requests.count == 3)
    }

    @Test func aPersistentErrorStatusEndsTheStreamWithTheUsualError() async throws {
        let server = try await LoopbackServer.start { _ in .json(status: 401, body: #"{"error": {"message": "bad key"}}"#) }
        defer { server.shutdownNow() }
        let qa = try Predict("question -> answer", lm: try openAI(server))
        let got = await collect(try streamify(qa, listeners: [StreamListener(fieldName: "answer")])(question: "q"))
        #expect((got.error as? LMError)?.kind == .authentication)
        #expect(got.chunks.isEmpty)
        #expect(server.requests.count == 1)
    }

    // MARK: Parallel streams

    @Test func parallelStreamsStaySeparate() async throws {
        let server = try await LoopbackServer.start { request in
            let user = request.json?["messages"].arrayValue?.last?["content"].stringValue ?? ""
            let id = user.components(separatedBy: "question ## ]]\n").last?.components(separatedBy: "\n").first ?? "?"
            let pieces = ["[[ ## answer ## ]]\nanswer for ", id, " part one", " part two", "\n\n[[ ## completed ## ]]"]
            return .stream(
                steps: pieces.flatMap { [.send("data: \(openAIChunk($0))\n\n"), .pause(.milliseconds(3))] }
                    + [.send("data: \(openAIChunk(nil, finish: "stop"))\n\ndata: [DONE]\n\n")])
        }
        defer { server.shutdownNow() }
        let qa = try Predict("question -> answer", lm: try openAI(server))
        let stream = try streamify(qa, listeners: [StreamListener(fieldName: "answer")])
        let results = await withTaskGroup(of: (Int, Collected).self) { group in
            for i in 0..<20 {
                group.addTask { (i, await collect(stream(question: "q\(i)"))) }
            }
            var out: [Int: Collected] = [:]
            for await (i, c) in group { out[i] = c }
            return out
        }
        var ids = Set<String>()
        for i in 0..<20 {
            let c = try #require(results[i])
            #expect(c.error == nil)
            #expect(c.text("answer") == "answer for q\(i) part one part two")
            #expect(c.prediction?.answer == Value.string("answer for q\(i) part one part two"))
            let callIDs = Set(c.chunks.map(\.callID))
            #expect(callIDs.count == 1)
            ids.formUnion(callIDs)
        }
        #expect(ids.count == 20)
    }

    // MARK: Cache, cancellation, offline

    @Test func aCacheHitStreamsNothingButStillPredicts() async throws {
        let question = "cached-\(UUID().uuidString)"
        let server = try await LoopbackServer.start { _ in openAIStream(replyPieces) }
        defer { server.shutdownNow() }
        let qa = try Predict("question -> answer", lm: try openAI(server, cache: true))
        let stream = try streamify(qa, listeners: [StreamListener(fieldName: "answer")], includeFinalPrediction: false)
        let first = await collect(stream(question: question))
        #expect(first.text("answer") == answerText)
        #expect(first.prediction == nil)  // listeners saw their field, and the final prediction was not asked for

        let second = await collect(stream(question: question))
        #expect(second.error == nil)
        #expect(second.chunks.isEmpty)
        #expect(second.prediction?.answer == Value.string(answerText))
        #expect(server.requests.count == 1)
    }

    @Test func cancellingTheConsumerClosesTheConnection() async throws {
        let server = try await LoopbackServer.start { _ in
            .stream(steps: [
                .send("data: \(openAIChunk("[[ ## answer ## ]]\nfirst words "))\n\n"), .pause(.seconds(60)),
                .send("data: \(openAIChunk("never"))\n\n"),
            ])
        }
        defer { server.shutdownNow() }
        let qa = try Predict("question -> answer", lm: try openAI(server))
        let stream = try streamify(qa, listeners: [StreamListener(fieldName: "answer")])(question: "q")
        let consumer = Task { () -> [StreamEvent] in
            var seen: [StreamEvent] = []
            do {
                for try await e in stream { seen.append(e) }
            } catch {}
            return seen
        }
        #expect(await server.waitUntil { $0.requests.count == 1 })
        // Wait for the first chunk to be on its way, then cancel the consumer.
        try await Task.sleep(for: .milliseconds(50))
        consumer.cancel()
        let seen = await consumer.value
        #expect(!seen.contains { if case .prediction = $0 { true } else { false } })
        #expect(await server.waitUntil { $0.closedWhilePending == 1 && $0.openConnections == 0 })
    }

    @Test func breakingOutOfTheLoopCancelsTheProgram() async throws {
        let server = try await LoopbackServer.start { _ in
            .stream(steps: [.send("data: \(openAIChunk("[[ ## answer ## ]]\nfirst words "))\n\n"), .pause(.seconds(60))])
        }
        defer { server.shutdownNow() }
        let qa = try Predict("question -> answer", lm: try openAI(server))
        let stream = try streamify(qa, listeners: [StreamListener(fieldName: "answer")])
        var first: StreamResponse?
        for try await event in stream(question: "q") {
            if case .chunk(let c) = event { first = c; break }
        }
        #expect(first?.chunk == "first words")
        #expect(await server.waitUntil { $0.closedWhilePending == 1 })
    }

    @Test func dummyLMStreamsOfflineInChatAndJSONFormats() async throws {
        let lm = LM.dummy(answers: [
            ["reasoning": "step one, step two", "answer": "forty-two"],
            ["reasoning": "again", "answer": "json \"quoted\" answer"],
        ])
        let cot = try ChainOfThought("question -> answer", lm: lm)
        let stream = try streamify(cot, listeners: [StreamListener(fieldName: "reasoning"), StreamListener(fieldName: "answer")])
        let chat = await collect(stream(question: "q"))
        #expect(chat.error == nil)
        #expect(chat.text("reasoning") == "step one, step two")
        #expect(chat.text("answer") == "forty-two")
        #expect(Set(chat.chunks.map(\.predictName)) == ["predict"])
        #expect(chat.chunks.filter(\.isLastChunk).map(\.fieldName) == ["reasoning", "answer"])

        let settings = Settings()
        let json = try await settings.bind {
            try await settings.context(["adapter": JSONAdapter()]) { await collect(stream(question: "q")) }
        }
        #expect(json.error == nil)
        #expect(json.text("answer") == "json \"quoted\" answer")
        #expect(json.prediction?.answer == Value.string("json \"quoted\" answer"))
    }

    @Test func withoutListenersRawTextArrives() async throws {
        let lm = LM.dummy(answers: [["answer": "raw"]])
        let got = await collect(try streamify(try Predict("question -> answer", lm: lm))(question: "q"))
        let raw = got.events.compactMap { if case .lmChunk(let c) = $0 { c.text } else { nil } }.joined()
        #expect(raw == "[[ ## answer ## ]]\nraw\n\n[[ ## completed ## ]]")
        #expect(got.prediction?.answer == "raw")
    }

    // MARK: Binding, adapters, status messages

    @Test func listenerBindingErrorsAreDSPys() throws {
        struct Two: Module {
            let a: Predict
            let b: Predict
            init() throws {
                a = try Predict("question -> answer")
                b = try Predict("answer -> answer2, note")
            }
            func forward(_ inputs: Inputs) async throws -> Prediction { try await b.call(try await a.call(inputs).values) }
        }
        let two = try Two()
        let missing = #expect(throws: StreamingError.self) { try streamify(two, listeners: [StreamListener(fieldName: "missing")]) }
        #expect(missing?.kind == .unknownField && missing?.code == "unknownField")
        do {
            _ = try streamify(two, listeners: [StreamListener(fieldName: "missing")])
        } catch {
            #expect(
                "\(error)"
                    == "Signature field missing is not a field of any predictor in the program, cannot automatically determine which predictor to use for streaming. Please verify your field name or specify the predictor to listen to."
            )
        }
        let both = try Two()
        let dup = try Predict("x -> answer2")
        struct Three: Module {
            let inner: any Module
            let c: Predict
            func forward(_ inputs: Inputs) async throws -> Prediction { try await c.call(try await inner.call(inputs).values) }
        }
        do {
            _ = try streamify(Three(inner: both, c: dup), listeners: [StreamListener(fieldName: "answer2")])
            Issue.record("an ambiguous field must be refused")
        } catch {
            #expect(
                "\(error)"
                    == "Signature field answer2 is not unique in the program, cannot automatically determine which predictor to use for streaming. Please specify the predictor to listen to."
            )
        }
        let bound = try streamify(two, listeners: [StreamListener(fieldName: "note")])
        #expect(bound.listeners.first?.predictName == "b")
        #expect(bound.listeners.first?.predict === two.b)
    }

    @Test func unsupportedAdapterIsRefused() async throws {
        struct Plain: Adapter {
            var name: String { "PlainAdapter" }
            func format(signature: Signature, demos: [Example], inputs: Inputs) -> [Message] { [.user("hi")] }
            func parse(signature: Signature, completion: String) throws -> Inputs { ["answer": .string(completion)] }
        }
        let qa = try Predict("question -> answer", lm: LM.dummy(answers: [["answer": "x"]]))
        let settings = Settings()
        let got = try await settings.bind {
            try await settings.context(["adapter": Plain()]) {
                await collect(try streamify(qa, listeners: [StreamListener(fieldName: "answer")])(question: "q"))
            }
        }
        #expect(
            "\(got.error.map { "\($0)" } ?? "none")"
                == "Unsupported adapter for streaming: PlainAdapter, please use one of the following adapters: ChatAdapter, JSONAdapter")
    }

    @Test func reactStreamsItsAnswerWithStatusForToolsButNotForFinish() async throws {
        let lm = LM.dummy(answers: [
            ["next_thought": "Add them.", "next_tool_name": "calculate", "next_tool_args": ["expression": "20 + 22"]],
            ["next_thought": "Done.", "next_tool_name": "finish", "next_tool_args": [:]],
            ["reasoning": "20 + 22 is 42.", "answer": "42"],
        ])
        let agent = try ReAct("question -> answer", tools: [Tool.calculate])
        // The final answer comes from the extraction predictor, the one predictor with `answer`.
        let stream = try streamify(agent, listeners: [StreamListener(fieldName: "answer")])
        let got = try await settings.context(["lm": lm]) { await collect(stream(question: "What is 20 + 22?")) }
        #expect(got.error == nil, "\(String(describing: got.error))")
        #expect(got.statuses == ["Calling tool calculate...", "Tool calling finished! Querying the LLM with tool calling results..."])
        #expect(got.text("answer") == "42")
        #expect(got.chunks.last?.isLastChunk == true)
        #expect(Set(got.chunks.map(\.predictName)).count == 1)
        #expect(got.prediction?.answer == "42")
        #expect(got.prediction?.trajectory["observation_0"] == 42)
    }

    @Test func toolCallsSendDSPysStatusMessages() async throws {
        struct WithTool: Module {
            let tool = Tool(name: "lookup", description: "Look it up.", function: .sync { _ in .string("found") })
            let qa: Predict
            init(_ lm: LM) throws { qa = try Predict("question -> answer", lm: lm) }
            func forward(_ inputs: Inputs) async throws -> Prediction {
                _ = try await tool.acall([:])
                return try await qa.call(inputs)
            }
        }
        let program = try WithTool(LM.dummy(answers: [["answer": "done"]]))
        let got = await collect(try streamify(program, listeners: [StreamListener(fieldName: "answer")])(question: "q"))
        #expect(got.error == nil)
        #expect(got.statuses == ["Calling tool lookup...", "Tool calling finished! Querying the LLM with tool calling results..."])
        #expect(got.text("answer") == "done")
        let none = await collect(try streamify(program, listeners: [StreamListener(fieldName: "answer")], statusMessages: nil)(question: "q"))
        #expect(none.statuses.isEmpty)
    }
}
