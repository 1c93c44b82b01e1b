import OrderedCollections

/// Sends one chat request to a provider. ``LM`` adds caching, retries, history and usage on top,
/// so a backend only speaks the wire format. Implement it to plug in a custom provider.
public protocol LMBackend: Sendable {
    func complete(_ request: LMRequest, timeout: Duration) async throws -> LMResponse
    /// The same call, streamed: `onText` receives the first choice's text in order, piece by
    /// piece, as it arrives, and the result is the whole response, exactly as ``complete(_:timeout:)``
    /// would return it. The default (for backends that cannot stream) completes the call and
    /// reports its text as one piece.
    func stream(_ request: LMRequest, timeout: Duration, onText: @escaping @Sendable (String) -> Void) async throws -> LMResponse
    /// True when one request returns all `n` completions; otherwise ``LM`` sends `n` requests
    /// of one completion each, as DSPy 3.4.1 does for every HTTP provider.
    var completesManyAtOnce: Bool { get }
}

extension LMBackend {
    public var completesManyAtOnce: Bool { false }

    public func stream(_ request: LMRequest, timeout: Duration, onText: @escaping @Sendable (String) -> Void) async throws -> LMResponse {
        let response = try await complete(request, timeout: timeout)
        if let text = response.choices.first?.text, !text.isEmpty { onText(text) }
        return response
    }
}

/// A provider's own API answers nothing without a key: say so before any request is sent
/// (rather than after a 401, or after retries on a machine without a network).
@inline(never)
func checkAPIKey(_ apiKey: String?, apiBase: String, provider: LM.Provider, model: String) throws {
    guard apiKey?.isEmpty ?? true, let variable = provider.apiKeyVariable, let official = LM.defaultAPIBase(for: provider),
        apiBase == official || apiBase + "/" == official
    else { return }
    throw LMError(
        .authentication, "No API key: set \(variable) or pass apiKey: to LM(...).", model: model,
        hint: "A server of your own (apiBase) needs no key; \(official) does.")
}

/// OpenAI Chat Completions (`POST {apiBase}/chat/completions`), which Ollama, vLLM and
/// llama.cpp's server also speak.
public struct OpenAICompatibleBackend: LMBackend {
    public let apiBase: String
    let apiKey: String?
    let providerName: String
    /// The largest reply body read (``LM/defaultMaxResponseBytes`` unless given).
    public let maxResponseBytes: Int
    let redactor: Redactor
    /// `{apiBase}/chat/completions`.
    let chatURL: String
    /// The `Authorization` header, when there is a key.
    let authorization: [(String, String)]

    public init(apiBase: String, apiKey: String?, providerName: String = "openai", maxResponseBytes: Int = LM.defaultMaxResponseBytes) {
        self.apiBase = apiBase.hasSuffix("/") ? String(apiBase.dropLast()) : apiBase
        self.apiKey = apiKey
        self.providerName = providerName
        self.maxResponseBytes = max(1, maxResponseBytes)
        redactor = Redactor(secrets: [apiKey])
        chatURL = self.apiBase + "/chat/completions"
        authorization = apiKey.flatMap { $0.isEmpty ? nil : [("Authorization", "Bearer \($0)")] } ?? []
    }

    /// The request body. For OpenAI itself `max_tokens` goes as `max_completion_tokens`, as
    /// DSPy 3.4.1's client sends it (other OpenAI-compatible servers keep `max_tokens`).
    @inline(never)
    package func body(_ request: LMRequest) -> Value {
        var o: OrderedDictionary<String, Value> = ["model": .string(request.model), "messages": .array(request.messages.map(\.jsonValue))]
        forEachParameter(of: request) { k, v in o[k] = v }
        return .object(o)
    }

    /// The request's parameters as the body names them: without nulls and the library's local
    /// keys, `max_tokens` renamed for OpenAI itself. Names are unique.
    private func forEachParameter(of request: LMRequest, _ body: (String, Value) -> Void) {
        for (k, v) in request.parameters where !v.isNull && !LMRequest.isLocal(k) {
            let renamed = k == "max_tokens" && providerName == "openai" && request.parameters["max_completion_tokens"] == nil
            body(renamed ? "max_completion_tokens" : k, v)
        }
    }

    /// ``body(_:)`` as compact JSON, the bytes every call sends, written straight from the
    /// request instead of through a `Value` tree.
    package func bodyBytes(_ request: LMRequest) -> [UInt8] {
        var writer = JSON.Writer(style: .compact, capacity: request.messages.reduce(256) { $0 + JSON.estimatedStringSize($1.content) + 32 })
        writer.openObject()
        writer.member("model")
        writer.writeString(request.model)
        writer.member("messages")
        writer.openArray()
        for message in request.messages {
            writer.element()
            writer.openObject()
            writer.member("role")
            writer.writeString(message.role.rawValue)
            writer.member("content")
            writer.writeString(message.content)
            writer.closeObject()
        }
        writer.closeArray()
        var collides = false
        forEachParameter(of: request) { k, v in
            collides = collides || k == "model" || k == "messages"
            writer.member(k)
            writer.write(v, level: 1)
        }
        writer.closeObject()
        // A parameter named like a body field replaces that field in place in body(_:).
        return collides ? JSON.compactBytes(body(request)) : writer.bytes
    }

    public func complete(_ request: LMRequest, timeout: Duration) async throws -> LMResponse {
        try checkAPIKey(apiKey, apiBase: apiBase, provider: providerName == "openai" ? .openai : .custom, model: request.model)
        let url = chatURL
        let reply = try await HTTPTransport.postJSON(
            url: url, headers: authorization, body: bodyBytes(request), timeout: timeout,
            maxBytes: maxResponseBytes, model: request.model)
        guard (200..<300).contains(reply.status) else {
            throw lmErrorForStatus(
                reply, provider: providerName, model: request.model, url: url, serverMessage: serverErrorMessage(reply.body, redactor: redactor))
        }
        return try Self.parse(reply, url: url, model: request.model)
    }

    /// A chat completion reply. Anything but a non-empty list of choice objects, each with a
    /// `message` object or a `text`, is a bad response (never cached).
    @inline(never)
    static func parse(_ reply: HTTPReply, url: String, model: String) throws -> LMResponse {
        if let completion = ChatCompletionReader.read(reply.body) {
            return LMResponse(
                choices: completion.choices, usage: completion.usage, model: completion.model, rawReply: RawReply(json: reply.bodyText))
        }
        let v: Value
        do { v = try JSON.parse(bytes: reply.body) } catch {
            throw LMError(
                .badResponse, "The server at \(HTTPTransport.hostPort(url)) did not send JSON (\(error)): \(String(reply.bodyText.prefix(200)))",
                model: model,
                hint: "Is apiBase pointing at an OpenAI-compatible API (usually ending in /v1)?")
        }
        var response = try parse(v, text: reply.bodyText, address: HTTPTransport.hostPort(url), model: model)
        response.rawReply = RawReply(json: reply.bodyText)  // kept as text: see RawReply
        return response
    }

    /// A parsed chat completion (also what a batch's output file holds for each request).
    static func parse(_ v: Value, text replyText: @autoclosure () -> String, address: @autoclosure () -> String, model: String) throws -> LMResponse {
        guard let choices = v["choices"].arrayValue else {
            if !v["error"].isNull, let m = v["error"]["message"].stringValue ?? v["error"].stringValue ?? v["message"].stringValue {
                throw LMError(.server, "The server at \(address()) reported an error: \(m)", model: model)
            }
            throw LMError(
                .badResponse, "The response from \(address()) has no \"choices\": \(String(replyText().prefix(200)))", model: model,
                hint: "Is apiBase pointing at an OpenAI-compatible chat completions API?")
        }
        guard !choices.isEmpty, choices.allSatisfy({ $0.objectValue != nil && ($0["message"].objectValue != nil || $0["text"].stringValue != nil) })
        else {
            throw LMError.noCompletion(
                "from \(address()) has \(choices.isEmpty ? "an empty" : "a malformed") choice list: \(String(replyText().prefix(200)))",
                model: model)
        }
        let parsed = choices.map { c in
            LMChoice(text: c["message"]["content"].stringValue ?? c["text"].stringValue, finishReason: c["finish_reason"].stringValue)
        }
        var usage: TokenUsage?
        if case .object = v["usage"] {
            let u = v["usage"]
            usage = TokenUsage(
                promptTokens: u["prompt_tokens"].intValue ?? 0, completionTokens: u["completion_tokens"].intValue ?? 0,
                totalTokens: u["total_tokens"].intValue, cachedTokens: u["prompt_tokens_details"]["cached_tokens"].intValue ?? 0)
        }
        return LMResponse(choices: parsed, usage: usage, model: v["model"].stringValue, raw: v)
    }
}

/// A backend holds its API key (and the header and redactor made from it): printed or dumped,
/// it shows everything but the key.
extension OpenAICompatibleBackend: CustomReflectable {
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "apiBase": apiBase, "providerName": providerName, "maxResponseBytes": maxResponseBytes,
                "hasAPIKey": !(apiKey ?? "").isEmpty,
            ], displayStyle: .struct)
    }
}

/// Anthropic's Messages API (`POST {apiBase}/messages`).
public struct AnthropicBackend: LMBackend {
    public let apiBase: String
    let apiKey: String?
    /// The largest reply body read (``LM/defaultMaxResponseBytes`` unless given).
    public let maxResponseBytes: Int
    let redactor: Redactor
    public static let apiVersion = "2023-06-01"
    /// Anthropic requires `max_tokens`; this is sent when the LM sets none.
    public static let defaultMaxTokens = 4096

    public init(apiBase: String, apiKey: String?, maxResponseBytes: Int = LM.defaultMaxResponseBytes) {
        self.apiBase = apiBase.hasSuffix("/") ? String(apiBase.dropLast()) : apiBase
        self.apiKey = apiKey
        self.maxResponseBytes = max(1, maxResponseBytes)
        redactor = Redactor(secrets: [apiKey])
    }

    static func body(_ request: LMRequest) -> Value {
        let system = request.messages.filter { $0.role == .system }.map(\.content).joined(separator: "\n\n")
        // Anthropic wants alternating user/assistant turns; merge neighbours of the same role.
        var turns: [Message] = []
        for m in request.messages where m.role != .system {
            let role: Message.Role = m.role == .assistant ? .assistant : .user
            if let last = turns.last, last.role == role {
                turns[turns.count - 1].content += "\n\n" + m.content
            } else {
                turns.append(Message(role, m.content))
            }
        }
        var o: OrderedDictionary<String, Value> = ["model": .string(request.model)]
        if !system.isEmpty { o["system"] = .string(system) }
        o["messages"] = .array(turns.map(\.jsonValue))
        if let m = request.parameters["max_tokens"], !m.isNull { o["max_tokens"] = m } else { o["max_tokens"] = .int(defaultMaxTokens) }
        for (k, v) in request.parameters where !v.isNull {
            switch k {
            case "temperature", "top_p", "top_k", "metadata": o[k] = v
            case "stop": o["stop_sequences"] = v.arrayValue.map(Value.array) ?? .array([v])
            default: break
            }
        }
        return .object(o)
    }

    public func complete(_ request: LMRequest, timeout: Duration) async throws -> LMResponse {
        // The Messages API has no `n`; ask once per completion.
        var merged = try await completeOnce(request, timeout: timeout)
        for _ in 1..<max(1, request.n) {
            let more = try await completeOnce(request, timeout: timeout)
            merged.choices += more.choices
            if let u = more.usage { merged.usage = (merged.usage ?? .zero) + u }
        }
        return merged
    }

    private func completeOnce(_ request: LMRequest, timeout: Duration) async throws -> LMResponse {
        try checkAPIKey(apiKey, apiBase: apiBase, provider: .anthropic, model: request.model)
        let url = apiBase + "/messages"
        var headers: [(String, String)] = [("anthropic-version", Self.apiVersion)]
        if let apiKey, !apiKey.isEmpty { headers.append(("x-api-key", apiKey)) }
        let reply = try await HTTPTransport.postJSON(
            url: url, headers: headers, body: JSON.compactBytes(Self.body(request)), timeout: timeout,
            maxBytes: maxResponseBytes, model: request.model)
        guard (200..<300).contains(reply.status) else {
            var e = lmErrorForStatus(
                reply, provider: "anthropic", model: request.model, url: url, serverMessage: serverErrorMessage(reply.body, redactor: redactor))
            if reply.status == 529 { e.kind = .server }
            throw e
        }
        let v: Value
        do { v = try JSON.parse(bytes: reply.body) } catch {
            throw LMError(
                .badResponse, "The server at \(HTTPTransport.hostPort(url)) did not send JSON (\(error)): \(String(reply.bodyText.prefix(200)))",
                model: request.model)
        }
        var response = try Self.parseMessage(v, text: reply.bodyText, address: HTTPTransport.hostPort(url), model: request.model)
        response.rawReply = RawReply(json: reply.bodyText)  // kept as text: see RawReply
        return response
    }

    /// A Messages API reply (also what a message batch returns for each succeeded request).
    static func parseMessage(_ v: Value, text replyText: @autoclosure () -> String, address: @autoclosure () -> String, model: String) throws
        -> LMResponse
    {
        guard let content = v["content"].arrayValue, content.allSatisfy({ $0.objectValue != nil }) else {
            throw LMError(
                .badResponse, "The response from \(address()) has no \"content\": \(String(replyText().prefix(200)))", model: model,
                hint: "Is apiBase pointing at Anthropic's Messages API?")
        }
        let text = content.compactMap { $0["type"].stringValue == "text" ? $0["text"].stringValue : nil }.joined()
        let u = v["usage"]
        let input = u["input_tokens"].intValue ?? 0
        let cached = u["cache_read_input_tokens"].intValue ?? 0
        let usage = TokenUsage(promptTokens: input + cached, completionTokens: u["output_tokens"].intValue ?? 0, cachedTokens: cached)
        let finish: String? =
            switch v["stop_reason"].stringValue {
            case "end_turn", "stop_sequence": "stop"
            case "max_tokens": "length"
            case let other: other
            }
        return LMResponse(choices: [LMChoice(text: text, finishReason: finish)], usage: usage, model: v["model"].stringValue, raw: v)
    }
}

extension AnthropicBackend: CustomReflectable {
    public var customMirror: Mirror {
        Mirror(
            self, children: ["apiBase": apiBase, "maxResponseBytes": maxResponseBytes, "hasAPIKey": !(apiKey ?? "").isEmpty],
            displayStyle: .struct)
    }
}
