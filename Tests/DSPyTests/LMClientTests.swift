// The LM HTTP clients (OpenAI-compatible and Anthropic) against a real HTTP server on 127.0.0.1:
// wire format, status-code mapping, retries, timeouts, dropped and refused connections,
// cancellation, the response cache, and Predict end to end.

import Foundation
import TestSupport
import Testing
@testable import DSPy

/// Retries quickly so error-path tests do not wait seconds.
private let fastRetry = RetryPolicy(initialBackoff: .milliseconds(10), maxBackoff: .milliseconds(20))

/// An OpenAI chat-completions response with one choice per text.
private func chatCompletion(_ texts: [String], usage: (prompt: Int, completion: Int, total: Int)? = (5, 2, 7)) -> Reply {
    var doc: Value = [
        "model": "m",
        "choices": .array(
            texts.enumerated().map { i, text in
                ["index": .int(i), "message": ["role": "assistant", "content": .string(text)], "finish_reason": "stop"]
            }),
    ]
    if let usage, case .object(var o) = doc {
        o["usage"] = ["prompt_tokens": .int(usage.prompt), "completion_tokens": .int(usage.completion), "total_tokens": .int(usage.total)]
        doc = .object(o)
    }
    return .json(doc)
}

private func openAI(
    _ server: LoopbackServer, temperature: Double? = nil, maxTokens: Int? = nil, numRetries: Int = 3,
    cache: Bool? = false, timeout: Duration = .seconds(600), retryPolicy: RetryPolicy = fastRetry
) throws -> LM {
    try LM(
        "openai/test-model", temperature: temperature, maxTokens: maxTokens, apiBase: server.baseURL + "/v1",
        apiKey: "sk-test", numRetries: numRetries, cache: cache, timeout: timeout, retryPolicy: retryPolicy)
}

/// Runs `body` and returns the `LMError` it throws; records an issue when it throws something else or nothing.
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

@Suite("LM HTTP clients against a loopback server")
struct LMClientTests {

    // MARK: Wire format

    @Test func errorsNameTheServerByHostAndPort() {
        #expect(HTTPTransport.hostPort("http://127.0.0.1:8080/v1/chat/completions") == "127.0.0.1:8080")
        #expect(HTTPTransport.hostPort("https://api.openai.com/v1") == "api.openai.com")
        #expect(HTTPTransport.hostPort("localhost:11434/v1") == "localhost:11434")
        #expect(HTTPTransport.hostPort("http://[::1]:9/x") == "[::1]:9")
    }

    @Test func openAIRequestAndResponse() async throws {
        let server = try await LoopbackServer.start { _ in chatCompletion(["hi"]) }
        defer { server.shutdownNow() }
        let lm = try openAI(server)
        let response = try await lm.call(messages: [.system("s"), .user("u")], parameters: [:])

        #expect(response.outputs == ["hi"])
        #expect(response.choices.first?.finishReason == "stop")
        #expect(response.usage?.promptTokens == 5)
        #expect(response.usage?.completionTokens == 2)
        #expect(response.usage?.totalTokens == 7)
        #expect(response.cacheHit == false)

        let requests = server.requests
        try #require(requests.count == 1)
        let r = requests[0]
        #expect(r.method == "POST")
        #expect(r.path == "/v1/chat/completions")
        #expect(r.header("authorization") == "Bearer sk-test")
        #expect(r.header("Content-Type")?.hasPrefix("application/json") == true)
        #expect(r.header("x-api-key") == nil)
        let body = try #require(r.json, "body is not JSON: \(r.bodyString)")
        #expect(body["model"] == "test-model")
        let messages = try #require(body["messages"].arrayValue)
        #expect(messages.count == 2)
        #expect(messages.map { $0["role"] } == ["system", "user"])
        #expect(messages.map { $0["content"] } == ["s", "u"])
        // Unset defaults are null in the LM's kwargs and must not go on the wire.
        let keys = try #require(body.objectValue).keys
        #expect(!keys.contains("temperature"))
        #expect(!keys.contains("max_tokens"))
        #expect(Set(keys) == ["model", "messages"])
    }

    @Test func openAISendsSetSamplingParameters() async throws {
        let server = try await LoopbackServer.start { _ in chatCompletion(["ok"]) }
        defer { server.shutdownNow() }
        let lm = try openAI(server, temperature: 0.3, maxTokens: 50)
        _ = try await lm.call(messages: [.user("u")], parameters: ["top_p": 0.5])

        let body = try #require(server.requests.first?.json)
        #expect(body["temperature"] == .double(0.3))
        // OpenAI's own API gets max_tokens as max_completion_tokens, as DSPy 3.4.1 sends it.
        #expect(body["max_completion_tokens"] == .int(50))
        #expect(body["max_tokens"].isNull)
        #expect(body["top_p"] == .double(0.5))
    }

    @Test func otherOpenAICompatibleServersKeepMaxTokens() async throws {
        let server = try await LoopbackServer.start { _ in chatCompletion(["ok"]) }
        defer { server.shutdownNow() }
        let lm = try LM("local/my-model", maxTokens: 50, apiBase: server.baseURL + "/v1")
        _ = try await lm.call(messages: [.user("u")], parameters: [:])
        let body = try #require(server.requests.first?.json)
        #expect(body["max_tokens"] == .int(50))
        #expect(body["max_completion_tokens"].isNull)
    }

    @Test func nCompletionsAreNRequestsOfOneEach() async throws {
        let counter = Locked(0)
        let server = try await LoopbackServer.start { _ in
            let k = counter.withLock { c -> Int in
                c += 1; return c
            }
            // A server that ignores the missing `n` and sends two choices: only the first counts.
            return chatCompletion(["reply \(k)", "extra \(k)"])
        }
        defer { server.shutdownNow() }
        let lm = try openAI(server, cache: true)
        let prompt = "n-split \(UUID())"  // its own cache entry
        let response = try await lm.call(messages: [.user(prompt)], parameters: ["n": 3])

        #expect(response.outputs == ["reply 1", "reply 2", "reply 3"])
        #expect(server.requests.count == 3)
        #expect(server.requests.allSatisfy { $0.json?["n"].isNull == true })
        // The combined reply is one cache entry: the same call again sends nothing.
        let again = try await lm.call(messages: [.user(prompt)], parameters: ["n": 3])
        #expect(again.outputs == response.outputs)
        #expect(server.requests.count == 3)
    }

    @Test func anthropicRequestAndResponse() async throws {
        let server = try await LoopbackServer.start { _ in
            .json(
                body:
                    #"{"model":"claude-test","content":[{"type":"text","text":"hello"}],"stop_reason":"end_turn","usage":{"input_tokens":10,"output_tokens":3}}"#
            )
        }
        defer { server.shutdownNow() }
        let lm = try LM("anthropic/claude-test", apiBase: server.baseURL + "/v1", apiKey: "ak", cache: false)
        let response = try await lm.call(messages: [.system("be brief"), .user("u")], parameters: [:])

        #expect(response.outputs == ["hello"])
        #expect(response.choices.first?.finishReason == "stop")
        #expect(response.usage?.promptTokens == 10)
        #expect(response.usage?.completionTokens == 3)
        #expect(response.usage?.totalTokens == 13)

        let requests = server.requests
        try #require(requests.count == 1)
        let r = requests[0]
        #expect(r.method == "POST")
        #expect(r.path == "/v1/messages")
        #expect(r.header("x-api-key") == "ak")
        #expect(r.header("anthropic-version") == "2023-06-01")
        #expect(r.header("authorization") == nil)
        let body = try #require(r.json, "body is not JSON: \(r.bodyString)")
        #expect(body["model"] == "claude-test")
        #expect(body["system"] == "be brief")
        let messages = try #require(body["messages"].arrayValue)
        #expect(messages.count == 1)
        #expect(messages.first?["role"] == "user")
        #expect(messages.first?["content"] == "u")
        #expect(!messages.contains { $0["role"] == "system" })
        #expect(try #require(body.objectValue).keys.contains("temperature") == false)
    }

    /// Anthropic requires `max_tokens`; when the LM sets none, `AnthropicBackend.defaultMaxTokens` is sent.
    @Test func anthropicSendsDefaultMaxTokens() async throws {
        let server = try await LoopbackServer.start { _ in
            .json(body: #"{"content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}}"#)
        }
        defer { server.shutdownNow() }
        let lm = try LM("anthropic/claude-test", apiBase: server.baseURL + "/v1", apiKey: "ak", cache: false)
        _ = try await lm.call(messages: [.user("u")], parameters: [:])

        let r = try #require(server.requests.first)
        #expect(r.json?["max_tokens"] == .int(AnthropicBackend.defaultMaxTokens), "body: \(r.bodyString)")
        #expect(!r.bodyString.contains("null"), "no null values on the wire: \(r.bodyString)")
    }

    @Test func anthropicSendsSetSamplingParameters() async throws {
        let server = try await LoopbackServer.start { _ in
            .json(body: #"{"content":[{"type":"text","text":"ok"}],"stop_reason":"max_tokens","usage":{"input_tokens":1,"output_tokens":1}}"#)
        }
        defer { server.shutdownNow() }
        let lm = try LM(
            "anthropic/claude-test", temperature: 0.2, maxTokens: 64, apiBase: server.baseURL + "/v1", apiKey: "ak",
            cache: false)
        let response = try await lm.call(messages: [.user("u")], parameters: ["stop": "END", "frequency_penalty": 1])

        #expect(response.choices.first?.finishReason == "length")
        let body = try #require(server.requests.first?.json)
        #expect(body["max_tokens"] == .int(64))
        #expect(body["temperature"] == .double(0.2))
        #expect(body["stop_sequences"] == ["END"])
        #expect(try #require(body.objectValue).keys.contains("frequency_penalty") == false, "not an Anthropic parameter")
        #expect(try #require(body.objectValue).keys.contains("stop") == false)
    }

    // MARK: Retries

    @Test func rateLimitHonorsRetryAfter() async throws {
        let server = try await LoopbackServer.start { request in
            request.index == 0
                ? .json(status: 429, body: #"{"error":{"message":"slow down"}}"#, headers: [("Retry-After", "1")])
                : chatCompletion(["after wait"])
        }
        defer { server.shutdownNow() }
        // The default policy would wait 1 s too; a slow initial backoff shows Retry-After is what is used.
        let lm = try openAI(server, numRetries: 3, retryPolicy: RetryPolicy(initialBackoff: .milliseconds(1)))
        let clock = ManualClock()
        let call = Task { try await context(.clock(clock)) { try await lm.call(messages: [.user("u")], parameters: [:]) } }
        await clock.waitUntilSleeping { $0 == 1 }  // the retry waits for the server's second
        #expect(clock.requested == [.seconds(1)])
        #expect(server.requests.count == 1)
        clock.advance(by: .milliseconds(999))
        #expect(clock.sleeping == 1)  // not yet
        clock.advance(by: .milliseconds(1))
        let response = try await call.value
        #expect(response.outputs == ["after wait"])
        #expect(server.requests.count == 2)
    }

    @Test func retriesBackOffExponentiallyOnTheClock() async throws {
        let server = try await LoopbackServer.start { request in
            request.index < 3 ? .json(status: 503, body: #"{"error":{"message":"busy"}}"#) : chatCompletion(["fine"])
        }
        defer { server.shutdownNow() }
        let lm = try openAI(server, numRetries: 3, retryPolicy: RetryPolicy())  // 1 s, 2 s, 4 s, at most 30 s
        let clock = ManualClock()
        let call = Task { try await context(.clock(clock)) { try await lm.call(messages: [.user("u")], parameters: [:]) } }
        for expected in [Duration.seconds(1), .seconds(2), .seconds(4)] {
            await clock.waitUntilSleeping { $0 == 1 }
            #expect(clock.requested.last == expected)
            clock.advance(by: expected)
        }
        #expect(try await call.value.outputs == ["fine"])
        #expect(server.requests.count == 4)
        #expect(clock.requested == [.seconds(1), .seconds(2), .seconds(4)])
    }

    @Test func persistentRateLimitGivesUpAfterRetries() async throws {
        let server = try await LoopbackServer.start { _ in .json(status: 429, body: #"{"error":{"message":"slow down"}}"#) }
        defer { server.shutdownNow() }
        let lm = try openAI(server, numRetries: 2)
        let error = try #require(await lmError { try await lm.call(messages: [.user("u")], parameters: [:]) })

        #expect(error.kind == .rateLimit)
        #expect(error.status == 429)
        #expect(error.attempts == 3)
        #expect(error.retryAfter == nil)
        #expect(error.description.contains("slow down"))
        #expect(error.description.contains("3 attempts"))
        #expect(server.requests.count == 3)
    }

    @Test func serverErrorsAreRetried() async throws {
        let server = try await LoopbackServer.start { request in
            request.index < 2 ? .json(status: 500, body: #"{"error":{"message":"boom"}}"#) : chatCompletion(["third time"])
        }
        defer { server.shutdownNow() }
        let lm = try openAI(server, numRetries: 3)
        let response = try await lm.call(messages: [.user("u")], parameters: [:])

        #expect(response.outputs == ["third time"])
        #expect(server.requests.count == 3)
        // Every attempt sends the same request.
        #expect(Set(server.requests.map(\.bodyString)).count == 1)
    }

    @Test func persistentServerErrorReportsKindAndAttempts() async throws {
        let server = try await LoopbackServer.start { _ in .json(status: 503, body: #"{"error":{"message":"overloaded"}}"#) }
        defer { server.shutdownNow() }
        let lm = try openAI(server, numRetries: 1)
        let error = try #require(await lmError { try await lm.call(messages: [.user("u")], parameters: [:]) })

        #expect(error.kind == .server)
        #expect(error.status == 503)
        #expect(error.attempts == 2)
        #expect(server.requests.count == 2)
    }

    // MARK: Status mapping

    @Test func authenticationFailureIsNotRetriedAndHidesTheKey() async throws {
        let server = try await LoopbackServer.start { _ in
            .json(status: 401, body: #"{"error":{"message":"Invalid authentication credentials"}}"#)
        }
        defer { server.shutdownNow() }
        let lm = try openAI(server, numRetries: 3)
        let error = try #require(await lmError { try await lm.call(messages: [.user("u")], parameters: [:]) })

        #expect(error.kind == .authentication)
        #expect(error.status == 401)
        #expect(error.attempts == 1)
        #expect(server.requests.count == 1)
        #expect(error.description.contains("Invalid authentication credentials"))
        #expect(error.description.contains("API key"))
        #expect(error.description.contains("OPENAI_API_KEY"))
        #expect(!error.description.contains("sk-test"))
        #expect(!String(reflecting: error).contains("sk-test"))
    }

    @Test func anthropicAuthenticationHintNamesItsVariable() async throws {
        let server = try await LoopbackServer.start { _ in .json(status: 403, body: #"{"error":{"message":"forbidden"}}"#) }
        defer { server.shutdownNow() }
        let lm = try LM("anthropic/claude-test", apiBase: server.baseURL + "/v1", apiKey: "ak-secret", cache: false)
        let error = try #require(await lmError { try await lm.call(messages: [.user("u")], parameters: [:]) })

        #expect(error.kind == .authentication)
        #expect(error.description.contains("ANTHROPIC_API_KEY"))
        #expect(!error.description.contains("ak-secret"))
        #expect(server.requests.count == 1)
    }

    @Test(arguments: [
        (400, #"{"error":{"message":"maximum context length is 8192 tokens"}}"#, LMError.Kind.contextWindowExceeded, "8192"),
        (400, #"{"error":{"message":"Unsupported parameter: 'foo'"}}"#, LMError.Kind.invalidRequest, "Unsupported parameter"),
        (422, #"{"error":"unprocessable"}"#, LMError.Kind.invalidRequest, "unprocessable"),
        (404, #"{"error":{"message":"The model 'test-model' does not exist"}}"#, LMError.Kind.notFound, "does not exist"),
        (402, #"{"error":{"message":"insufficient credits"}}"#, LMError.Kind.billing, "insufficient credits"),
    ])
    func clientErrorStatusesMapToKinds(status: Int, body: String, kind: LMError.Kind, detail: String) async throws {
        let server = try await LoopbackServer.start { _ in .json(status: status, body: body) }
        defer { server.shutdownNow() }
        let lm = try openAI(server, numRetries: 3)
        let error = try #require(await lmError { try await lm.call(messages: [.user("u")], parameters: [:]) })

        #expect(error.kind == kind)
        #expect(error.status == status)
        #expect(error.description.contains(detail))
        #expect(server.requests.count == 1, "a \(status) must not be retried")
    }

    // MARK: Bad responses

    @Test func nonJSONBodyIsABadResponse() async throws {
        let server = try await LoopbackServer.start { _ in .raw(contentType: "text/html", body: "<html>oops</html>") }
        defer { server.shutdownNow() }
        let lm = try openAI(server, numRetries: 3)
        let error = try #require(await lmError { try await lm.call(messages: [.user("u")], parameters: [:]) })

        #expect(error.kind == .badResponse)
        #expect(error.description.contains("<html>oops</html>"))
        #expect(server.requests.count == 1)
    }

    @Test func jsonWithoutChoicesIsABadResponse() async throws {
        let server = try await LoopbackServer.start { _ in .json(body: #"{"id":"x","object":"chat.completion"}"#) }
        defer { server.shutdownNow() }
        let lm = try openAI(server, numRetries: 3)
        let error = try #require(await lmError { try await lm.call(messages: [.user("u")], parameters: [:]) })

        #expect(error.kind == .badResponse)
        #expect(error.description.contains("choices"))
        #expect(server.requests.count == 1)
    }

    @Test func anthropicReplyWithoutContentIsABadResponse() async throws {
        let server = try await LoopbackServer.start { _ in .json(body: #"{"type":"message"}"#) }
        defer { server.shutdownNow() }
        let lm = try LM("anthropic/claude-test", apiBase: server.baseURL + "/v1", apiKey: "ak", cache: false)
        let error = try #require(await lmError { try await lm.call(messages: [.user("u")], parameters: [:]) })
        #expect(error.kind == .badResponse)
        #expect(error.description.contains("content"))
    }

    // MARK: Transport failures

    @Test func timeout() async throws {
        let server = try await LoopbackServer.start { _ in .delay(.seconds(60), then: chatCompletion(["too late"])) }
        defer { server.shutdownNow() }
        // Long enough for the request to reach the server on a machine busy with the whole suite.
        let lm = try openAI(server, numRetries: 0, timeout: .seconds(2))
        let error = try #require(await lmError { try await lm.call(messages: [.user("u")], parameters: [:]) })

        #expect(error.kind == .timeout)
        #expect(error.attempts == 1)
        // The request was written; a server slowed by the sanitizer may record it late.
        #expect(await server.waitUntil(timeout: .seconds(15)) { $0.requests.count == 1 }, "\(server.requests.count) requests")
        // The client gave up on the connection while the server was still holding the request.
        #expect(await server.waitUntil(timeout: .seconds(15)) { $0.closedWhilePending == 1 })
    }

    @Test func droppedConnectionIsRetried() async throws {
        let server = try await LoopbackServer.start { request in
            request.index == 0 ? .dropConnection : chatCompletion(["second try"])
        }
        defer { server.shutdownNow() }
        let lm = try openAI(server, numRetries: 2)
        let response = try await lm.call(messages: [.user("u")], parameters: [:])

        #expect(response.outputs == ["second try"])
        #expect(server.requests.count == 2)
        #expect(server.closedWhilePending == 0)
    }

    @Test func droppedConnectionWithoutRetriesIsATransportError() async throws {
        let server = try await LoopbackServer.start { request in
            request.index == 0 ? .dropConnection : chatCompletion(["unused"])
        }
        defer { server.shutdownNow() }
        let lm = try openAI(server, numRetries: 0)
        let error = try #require(await lmError { try await lm.call(messages: [.user("u")], parameters: [:]) })

        #expect(error.kind == .transport)
        #expect(error.isRetryable)
        #expect(error.description.contains("127.0.0.1:\(server.port)"))
        #expect(server.requests.count == 1)
    }

    @Test func connectionRefused() async throws {
        let refusing = try LoopbackServer.RefusingPort()
        let port = refusing.port
        defer { withExtendedLifetime(refusing) {} }
        // The client reports a refused connect at once (no retries until the deadline); the
        // timeout only bounds the test when the machine is very busy.
        let lm = try LM(
            "openai/test-model", apiBase: "http://127.0.0.1:\(port)/v1", apiKey: "sk-test",
            numRetries: 0, cache: false, timeout: .seconds(20))
        let error = try #require(await lmError { try await lm.call(messages: [.user("u")], parameters: [:]) })

        #expect(error.kind == .connectionRefused)
        #expect(error.description.contains("127.0.0.1:\(port)"))
    }

    // MARK: Cancellation

    @Test func cancellationReachesTheServer() async throws {
        let server = try await LoopbackServer.start { _ in .delay(.seconds(60), then: chatCompletion(["never"])) }
        defer { server.shutdownNow() }
        let lm = try openAI(server, numRetries: 3)
        let task = Task { try await lm.call(messages: [.user("u")], parameters: [:]) }

        // Cancel while the server is holding the request.
        #expect(await server.waitUntil { $0.requests.count == 1 })
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()

        switch await task.result {
        case .success(let response):
            Issue.record("the cancelled call returned \(response.outputs)")
        case .failure(let error):
            #expect(error is CancellationError, "expected CancellationError, got \(type(of: error)): \(error)")
        }
        #expect(
            await server.waitUntil(timeout: .seconds(15)) { $0.closedWhilePending == 1 },
            "the server should see the connection closed while the request was pending (open: \(server.openConnections), accepted: \(server.connectionsAccepted))"
        )
        #expect(server.requests.count == 1, "a cancelled call must not be retried")
    }

    // MARK: Concurrency and keep-alive

    @Test func manyConcurrentCalls() async throws {
        let server = try await LoopbackServer.start { request in
            let text = request.json?["messages"].arrayValue?.first?["content"].stringValue ?? "?"
            return .delay(.milliseconds(20), then: chatCompletion(["echo " + text]))
        }
        defer { server.shutdownNow() }
        let lm = try openAI(server, numRetries: 0)
        let outputs = try await withThrowingTaskGroup(of: (Int, [String]).self) { group in
            for i in 0..<24 {
                group.addTask {
                    let response = try await lm.call(messages: [.user("q\(i)")], parameters: [:])
                    return (i, response.outputs)
                }
            }
            var all: [Int: [String]] = [:]
            for try await (i, o) in group { all[i] = o }
            return all
        }
        #expect(outputs.count == 24)
        for i in 0..<24 { #expect(outputs[i] == ["echo q\(i)"]) }
        #expect(server.requests.count == 24)
    }

    @Test func sequentialCallsReuseKeepAliveConnections() async throws {
        let server = try await LoopbackServer.start { _ in chatCompletion(["ok"]) }
        defer { server.shutdownNow() }
        let lm = try openAI(server)
        for i in 0..<5 { _ = try await lm.call(messages: [.user("q\(i)")], parameters: [:]) }
        #expect(server.requests.count == 5)
        #expect(server.connectionsAccepted < 5, "keep-alive: \(server.connectionsAccepted) connections for 5 calls")
    }

    // MARK: Modules over HTTP

    @Test func predictEndToEnd() async throws {
        let server = try await LoopbackServer.start { _ in
            chatCompletion(["[[ ## answer ## ]]\nParis\n\n[[ ## completed ## ]]"])
        }
        defer { server.shutdownNow() }
        let lm = try LM("openai/m", apiBase: server.baseURL + "/v1", apiKey: "x", cache: false)
        let qa = try Predict("question -> answer", lm: lm)
        let p = try await qa(question: "Capital of France?")

        #expect(p.answer == "Paris")
        let requests = server.requests
        try #require(requests.count == 1)
        let body = try #require(requests[0].json)
        #expect(body["model"] == "m")
        let messages = try #require(body["messages"].arrayValue)
        #expect(messages.count == 2)
        #expect(messages.map { $0["role"] } == ["system", "user"])
        let system = messages.first?["content"].stringValue ?? ""
        #expect(system.contains("`question`"))
        #expect(system.contains("`answer`"))
        let user = messages.last?["content"].stringValue ?? ""
        #expect(user.hasPrefix("[[ ## question ## ]]\nCapital of France?"), "user message: \(user)")
    }

    // MARK: Cache

    @Test func responseCacheAndRolloutID() async throws {
        let server = try await LoopbackServer.start { request in chatCompletion(["answer \(request.index)"]) }
        defer { server.shutdownNow() }
        let lm = try LM("openai/test-model", apiBase: server.baseURL + "/v1", apiKey: "sk-test")  // cache defaults to on
        #expect(lm.cache)
        let messages: [Message] = [.user("cache test \(UUID().uuidString)")]

        let first = try await lm.call(messages: messages, parameters: [:])
        let second = try await lm.call(messages: messages, parameters: [:])
        #expect(server.requests.count == 1)
        #expect(first.cacheHit == false)
        #expect(second.cacheHit == true)
        #expect(second.outputs == first.outputs)
        #expect(second.usage == nil, "a cache hit spends no tokens")

        let rollout1 = try await lm.call(messages: messages, parameters: ["rollout_id": 1])
        #expect(rollout1.cacheHit == false)
        #expect(server.requests.count == 2)
        let rollout2 = try await lm.call(messages: messages, parameters: ["rollout_id": 2])
        #expect(rollout2.cacheHit == false)
        #expect(server.requests.count == 3)
        #expect(Set([first.outputs, rollout1.outputs, rollout2.outputs]).count == 3)
        let rollout1Again = try await lm.call(messages: messages, parameters: ["rollout_id": 1])
        #expect(rollout1Again.cacheHit == true)
        #expect(rollout1Again.outputs == rollout1.outputs)
        #expect(server.requests.count == 3)

        // `cache: false` per call bypasses the cache.
        let uncached = try await lm.call(messages: messages, parameters: ["cache": false])
        #expect(uncached.cacheHit == false)
        #expect(server.requests.count == 4)

        for r in server.requests {
            #expect(!r.bodyString.contains("rollout_id"), "rollout_id went on the wire: \(r.bodyString)")
            #expect(r.json?.objectValue?.keys.contains("cache") == false, "cache went on the wire: \(r.bodyString)")
        }
    }
}
