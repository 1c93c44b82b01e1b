import OrderedCollections

// Server-sent-event streaming for the HTTP providers. Each backend rebuilds, from the streamed
// pieces, the same `LMResponse` its non-streaming path returns, so history, usage and the
// cache see no difference.

extension OpenAICompatibleBackend {
    /// Streams a chat completion (`"stream": true`), asking for `stream_options.include_usage`
    /// (as DSPy does) so the server reports usage in its final chunk.
    public func stream(_ request: LMRequest, timeout: Duration, onText: @escaping @Sendable (String) -> Void) async throws -> LMResponse {
        try checkAPIKey(apiKey, apiBase: apiBase, provider: providerName == "openai" ? .openai : .custom, model: request.model)
        let url = apiBase + "/chat/completions"
        var headers: [(String, String)] = []
        if let apiKey, !apiKey.isEmpty { headers.append(("Authorization", "Bearer \(apiKey)")) }
        guard case .object(var body) = self.body(request) else { return try await complete(request, timeout: timeout) }
        body["stream"] = true
        body["stream_options"] = ["include_usage": true]
        let address = HTTPTransport.hostPort(url)
        let model = request.model
        let n = request.n
        let state = Locked(OpenAIStreamState())
        let providerName = self.providerName
        let redactor = self.redactor
        do {
            try await HTTPTransport.postEventStream(
                url: url, headers: headers, body: .object(body), timeout: timeout, maxBytes: maxResponseBytes, model: model,
                errorFor: { reply in
                    lmErrorForStatus(
                        reply, provider: providerName, model: model, url: url,
                        serverMessage: serverErrorMessage(reply.body, redactor: redactor))
                },
                onEvent: { event in
                    if event.isDone {
                        state.withLock { $0.done = true }
                        return false
                    }
                    let v: Value
                    do { v = try JSON.parse(event.data) } catch {
                        throw LMError(
                            .badResponse, "The event stream from \(address) sent data that is not JSON: \(String(event.data.prefix(200)))",
                            model: model, hint: "Is apiBase pointing at an OpenAI-compatible API that supports \"stream\": true?")
                    }
                    if !v["error"].isNull {
                        let message = v["error"]["message"].stringValue ?? v["error"].stringValue ?? JSON.compact(v["error"])
                        throw LMError(.server, "The server at \(address) reported an error mid-stream: \(message)", model: model)
                    }
                    let (text, answered) = state.withLock { s in (s.absorb(v), s.isComplete(n: n) && s.usage != nil) }
                    if !text.isEmpty { onText(text) }
                    // Every choice finished and usage arrived: that is the whole
                    // answer, [DONE] or not.
                    return !answered
                })
        } catch let error as LMError where error.kind == .transport || error.kind == .timeout {
            // The connection broke or stalled after every choice had finished (only the usage
            // chunk or [DONE] was missing): the answer is whole.
            guard state.withLock({ $0.isComplete(n: n) }) else { throw error }
        }
        return try state.withLock { s in
            guard !s.texts.isEmpty else {
                throw LMError.noCompletion("stream from \(address) ended without any completion (no choices)", model: model)
            }
            // Without [DONE] or every choice's finish reason the body ended early (a cut
            // connection that still closed cleanly): the response is incomplete.
            guard s.done || s.isComplete(n: n) else {
                throw LMError(
                    .transport, "The event stream from \(address) ended before the response was complete.", model: model,
                    hint: "The server dropped the stream. If it persists, check the server's logs.")
            }
            return s.response(n: n)
        }
    }
}

/// The pieces of an OpenAI-style stream, gathered by choice index.
struct OpenAIStreamState {
    var texts: [Int: String] = [:]
    var finish: [Int: String] = [:]
    var usage: TokenUsage?
    var model: String?
    var id: String?
    var done = false

    /// True once each of the `n` choices (or each choice seen, if more) has its finish reason.
    func isComplete(n: Int) -> Bool {
        let count = max(n, (texts.keys.max() ?? -1) + 1, 1)
        return (0..<count).allSatisfy { finish[$0] != nil }
    }

    /// Takes one `chat.completion.chunk`; returns the text it added to choice 0.
    mutating func absorb(_ v: Value) -> String {
        if model == nil { model = v["model"].stringValue }
        if id == nil { id = v["id"].stringValue }
        var first = ""
        for c in v["choices"].arrayValue ?? [] {
            let index = c["index"].intValue ?? 0
            let piece = c["delta"]["content"].stringValue ?? c["text"].stringValue ?? ""
            if !piece.isEmpty || texts[index] == nil { texts[index, default: ""] += piece }
            if let reason = c["finish_reason"].stringValue { finish[index] = reason }
            if index == 0 { first += piece }
        }
        if case .object = v["usage"] {
            let u = v["usage"]
            usage = TokenUsage(
                promptTokens: u["prompt_tokens"].intValue ?? 0, completionTokens: u["completion_tokens"].intValue ?? 0,
                totalTokens: u["total_tokens"].intValue, cachedTokens: u["prompt_tokens_details"]["cached_tokens"].intValue ?? 0)
        }
        return first
    }

    /// The response as the non-streaming endpoint would have sent it.
    func response(n: Int) -> LMResponse {
        let count = max(n, (texts.keys.max() ?? -1) + 1, 1)
        let choices = (0..<count).map { LMChoice(text: texts[$0] ?? "", finishReason: finish[$0]) }
        var raw: OrderedDictionary<String, Value> = ["object": "chat.completion"]
        if let id { raw["id"] = .string(id) }
        if let model { raw["model"] = .string(model) }
        raw["choices"] = .array(
            choices.enumerated().map { i, c in
                [
                    "index": .int(i), "message": ["role": "assistant", "content": .string(c.text ?? "")],
                    "finish_reason": c.finishReason.map(Value.string) ?? .null,
                ]
            })
        if let usage {
            raw["usage"] = [
                "prompt_tokens": .int(usage.promptTokens), "completion_tokens": .int(usage.completionTokens),
                "total_tokens": .int(usage.totalTokens),
            ]
        }
        return LMResponse(choices: choices, usage: usage, model: model, raw: .object(raw))
    }
}

extension AnthropicBackend {
    /// Streams a Messages API call (`"stream": true`): `message_start` carries the input usage,
    /// `content_block_delta` the text, `message_delta` the output usage and stop reason, and
    /// `message_stop` ends it. With `n > 1` the first completion streams and the rest are asked
    /// for afterwards without streaming (the API has no `n`).
    public func stream(_ request: LMRequest, timeout: Duration, onText: @escaping @Sendable (String) -> Void) async throws -> LMResponse {
        try checkAPIKey(apiKey, apiBase: apiBase, provider: .anthropic, model: request.model)
        let url = apiBase + "/messages"
        var headers: [(String, String)] = [("anthropic-version", Self.apiVersion)]
        if let apiKey, !apiKey.isEmpty { headers.append(("x-api-key", apiKey)) }
        guard case .object(var body) = Self.body(request) else { return try await complete(request, timeout: timeout) }
        body["stream"] = true
        let address = HTTPTransport.hostPort(url)
        let model = request.model
        let state = Locked(AnthropicStreamState())
        let redactor = self.redactor
        try await HTTPTransport.postEventStream(
            url: url, headers: headers, body: .object(body), timeout: timeout, maxBytes: maxResponseBytes, model: model,
            errorFor: { reply in
                var e = lmErrorForStatus(
                    reply, provider: "anthropic", model: model, url: url,
                    serverMessage: serverErrorMessage(reply.body, redactor: redactor))
                if reply.status == 529 { e.kind = .server }
                return e
            },
            onEvent: { event in
                let v: Value
                do { v = try JSON.parse(event.data) } catch {
                    throw LMError(
                        .badResponse, "The event stream from \(address) sent data that is not JSON: \(String(event.data.prefix(200)))",
                        model: model, hint: "Is apiBase pointing at Anthropic's Messages API?")
                }
                let type = event.event.isEmpty ? (v["type"].stringValue ?? "") : event.event
                if type == "error" { throw AnthropicStreamState.error(v, address: address, model: model) }
                let (text, more) = state.withLock { $0.absorb(type: type, v) }
                if !text.isEmpty { onText(text) }
                return more
            })
        var first = try state.withLock { s in
            guard s.stopped else {
                throw LMError(
                    .transport, "The event stream from \(address) ended before its stop reason (message_delta or message_stop).", model: model,
                    hint: "The server dropped the stream. If it persists, check the server's logs.")
            }
            return s.response()
        }
        if request.n > 1 {
            var rest = request
            rest.parameters["n"] = .int(request.n - 1)
            let more = try await complete(rest, timeout: timeout)
            first.choices += more.choices
            if let u = more.usage { first.usage = (first.usage ?? .zero) + u }
        }
        return first
    }
}

/// The pieces of an Anthropic Messages stream.
struct AnthropicStreamState {
    var text = ""
    var inputTokens = 0
    var cachedTokens = 0
    var outputTokens = 0
    var stopReason: String?
    var model: String?
    var id: String?
    var stopped = false

    /// Takes one event; returns the text it added and whether to read on.
    mutating func absorb(type: String, _ v: Value) -> (String, Bool) {
        switch type {
        case "message_start":
            let m = v["message"]
            model = m["model"].stringValue
            id = m["id"].stringValue
            inputTokens = m["usage"]["input_tokens"].intValue ?? 0
            cachedTokens = m["usage"]["cache_read_input_tokens"].intValue ?? 0
            outputTokens = m["usage"]["output_tokens"].intValue ?? 0
        case "content_block_delta":
            if v["delta"]["type"].stringValue == "text_delta", let piece = v["delta"]["text"].stringValue {
                text += piece
                return (piece, true)
            }
        case "message_delta":
            if let out = v["usage"]["output_tokens"].intValue { outputTokens = out }
            if let reason = v["delta"]["stop_reason"].stringValue {
                // The stop reason (with the final usage) ends the answer; message_stop adds nothing.
                stopReason = reason
                stopped = true
                return ("", false)
            }
        case "message_stop":
            stopped = true
            return ("", false)
        default:
            break  // ping, content_block_start/stop, and event types added later
        }
        return ("", true)
    }

    func response() -> LMResponse {
        let finish: String? =
            switch stopReason {
            case "end_turn", "stop_sequence": "stop"
            case "max_tokens": "length"
            case let other: other
            }
        let usage = TokenUsage(promptTokens: inputTokens + cachedTokens, completionTokens: outputTokens, cachedTokens: cachedTokens)
        var raw: OrderedDictionary<String, Value> = ["type": "message", "role": "assistant"]
        if let id { raw["id"] = .string(id) }
        if let model { raw["model"] = .string(model) }
        raw["content"] = [["type": "text", "text": .string(text)]]
        raw["stop_reason"] = stopReason.map(Value.string) ?? .null
        raw["usage"] = ["input_tokens": .int(inputTokens), "output_tokens": .int(outputTokens), "cache_read_input_tokens": .int(cachedTokens)]
        return LMResponse(choices: [LMChoice(text: text, finishReason: finish)], usage: usage, model: model, raw: .object(raw))
    }

    /// An `error` event as an ``LMError`` of the matching kind.
    static func error(_ v: Value, address: String, model: String) -> LMError {
        let type = v["error"]["type"].stringValue ?? "error"
        let message = v["error"]["message"].stringValue ?? JSON.compact(v)
        let kind: LMError.Kind =
            switch type {
            case "overloaded_error", "api_error": .server
            case "rate_limit_error": .rateLimit
            case "authentication_error", "permission_error": .authentication
            case "invalid_request_error": .invalidRequest
            case "not_found_error": .notFound
            default: .server
            }
        return LMError(kind, "The server at \(address) reported \(type) mid-stream: \(message)", model: model)
    }
}

extension DummyBackend {
    /// Streams the reply in a few pieces (about a dozen characters each, so field markers are
    /// split too), for trying streaming offline.
    public func stream(_ request: LMRequest, timeout: Duration, onText: @escaping @Sendable (String) -> Void) async throws -> LMResponse {
        let response = try await complete(request, timeout: timeout)
        let text = Array(response.choices.first?.text ?? "")
        var start = 0
        while start < text.count {
            try Task.checkCancellation()
            let end = min(text.count, start + 12)
            onText(String(text[start..<end]))
            start = end
            await Task.yield()
        }
        return response
    }
}
