import OrderedCollections

/// One chat message (`{"role": ..., "content": ...}`).
public struct Message: Sendable, Hashable, CustomStringConvertible {
    public enum Role: String, Sendable, Hashable { case system, user, assistant, tool }
    public var role: Role
    public var content: String

    public init(_ role: Role, _ content: String) {
        self.role = role
        self.content = content
    }

    public static func system(_ text: String) -> Message { Message(.system, text) }
    public static func user(_ text: String) -> Message { Message(.user, text) }
    public static func assistant(_ text: String) -> Message { Message(.assistant, text) }

    public var description: String { "\(role.rawValue): \(content)" }
    var jsonValue: Value { ["role": .string(role.rawValue), "content": .string(content)] }
}

/// What an ``LMBackend`` is asked to do: a chat completion with sampling parameters.
public struct LMRequest: Sendable, Hashable {
    /// The provider's model name, without the `provider/` prefix.
    public var model: String
    public var messages: [Message]
    /// Request parameters by their OpenAI names (`temperature`, `max_tokens`, `n`, `stop`, ...).
    public var parameters: OrderedDictionary<String, Value>

    public init(model: String, messages: [Message], parameters: OrderedDictionary<String, Value> = [:]) {
        self.model = model
        self.messages = messages
        self.parameters = parameters
    }

    /// True for parameters that carry credentials or addresses (`api_key`, `api_base`,
    /// `base_url`): never part of a request key, a cassette or the call log.
    static func isCredential(_ key: String) -> Bool { key.hasPrefix("api_") || key == "base_url" }

    /// Marks the k-th of n completions asked for separately: part of the cache key, never sent.
    static let completionIndexKey = "dspy_completion_index"

    /// Parameters that shape the cache key but are not sent to the server.
    static func isLocal(_ key: String) -> Bool { key == "rollout_id" || key == completionIndexKey }

    /// Number of completions requested (`n`, default 1).
    public var n: Int { parameters["n"]?.intValue ?? 1 }

    /// The most completions one request may ask for (OpenAI's own limit).
    public static let maxCompletions = 128

    /// `n` as a completion count, or an ``ArgumentRangeError`` when it is not an integer from 1
    /// to ``maxCompletions`` (a huge `n` would otherwise exhaust memory building the replies).
    public static func checkedCompletions(_ n: Value) throws(ArgumentRangeError) -> Int {
        let range = 1...maxCompletions
        switch n {
        case .int(let i): return try Int.checked(i, argument: "n", range: range)
        case .double(let d): return try Int(checked: d, argument: "n", range: range)
        default: throw ArgumentRangeError(argument: "n", value: n.pythonRepr, range: Int.words(range))
        }
    }
}

/// One completion choice.
public struct LMChoice: Sendable, Hashable {
    public var text: String?
    public var finishReason: String?
    public init(text: String?, finishReason: String? = nil) {
        self.text = text
        self.finishReason = finishReason
    }
}

/// What a backend returns: the choices, token usage, and the raw provider response.
public struct LMResponse: Sendable, Hashable {
    public var choices: [LMChoice]
    public var usage: TokenUsage?
    /// The model name the provider reported.
    public var model: String?
    /// The provider's response as it arrived (for history and debugging).
    public var raw: Value {
        get { rawReply.value }
        set { rawReply = RawReply(newValue) }
    }
    /// ``raw`` as it is kept: an HTTP backend's reply stays JSON text until someone reads it.
    var rawReply: RawReply
    /// True when this response came from the cache (no tokens were spent).
    public var cacheHit = false

    public init(choices: [LMChoice], usage: TokenUsage? = nil, model: String? = nil, raw: Value = .null) {
        self.init(choices: choices, usage: usage, model: model, rawReply: RawReply(raw))
    }

    init(choices: [LMChoice], usage: TokenUsage?, model: String?, rawReply: RawReply) {
        self.choices = choices
        self.usage = usage
        self.model = model
        self.rawReply = rawReply
    }

    /// The text of each choice (DSPy's `outputs` list).
    public var outputs: [String] { choices.map { $0.text ?? "" } }
}

/// A provider's reply body, kept as the JSON text it arrived as and parsed only when read: the
/// history holds the last 10 000 replies, and text takes a fraction of the memory of the parsed
/// tree (and no work on the call's path). Values built in-process are kept as they are.
struct RawReply: Sendable, Hashable {
    private enum Form: Sendable {
        case value(Value)
        case json(String)
    }
    private let form: Form

    init(_ value: Value) { form = .value(value) }
    /// `text` must be JSON (the reply the backend parsed).
    init(json text: String) { form = .json(text) }

    var value: Value {
        switch form {
        case .value(let v): return v
        case .json(let text): return (try? JSON.parse(text)) ?? .string(text)
        }
    }

    /// The JSON text, when the reply is kept as text.
    var jsonText: String? {
        if case .json(let text) = form { return text }
        return nil
    }

    static func == (a: RawReply, b: RawReply) -> Bool { a.value == b.value }
    func hash(into hasher: inout Hasher) { value.hash(into: &hasher) }
}

extension LMResponse {
    /// The response as the disk cache and cassettes store it: choices, usage, model and the raw
    /// provider JSON (not whether it was a cache hit).
    var storedValue: Value {
        var doc: OrderedDictionary<String, Value> = [
            "choices": .array(
                choices.map { ["text": $0.text.map(Value.string) ?? .null, "finish_reason": $0.finishReason.map(Value.string) ?? .null] }),
            "usage": usage.map {
                [
                    "prompt_tokens": .int($0.promptTokens), "completion_tokens": .int($0.completionTokens),
                    "total_tokens": .int($0.totalTokens), "cached_tokens": .int($0.cachedTokens),
                ]
            } ?? .null,
            "model": model.map(Value.string) ?? .null,
        ]
        doc["raw"] = raw
        return .object(doc)
    }

    /// Reads ``storedValue``; `nil` when the value is not a stored response.
    init?(storedValue doc: Value) {
        guard let choiceValues = doc["choices"].arrayValue else { return nil }
        var choices: [LMChoice] = []
        for c in choiceValues {
            guard c.objectValue != nil else { return nil }
            choices.append(LMChoice(text: c["text"].stringValue, finishReason: c["finish_reason"].stringValue))
        }
        var usage: TokenUsage?
        if let u = doc["usage"].objectValue {
            usage = TokenUsage(
                promptTokens: u["prompt_tokens"]?.intValue ?? 0, completionTokens: u["completion_tokens"]?.intValue ?? 0,
                totalTokens: u["total_tokens"]?.intValue, cachedTokens: u["cached_tokens"]?.intValue ?? 0)
        }
        self.init(choices: choices, usage: usage, model: doc["model"].stringValue, raw: doc["raw"])
    }

    /// ``storedValue`` as compact JSON text (the disk cache's column).
    var cacheJSON: String { JSON.compact(storedValue) }

    /// Reads ``cacheJSON``; `nil` when the text is not a stored response.
    init?(cacheJSON text: String) {
        guard let doc = try? JSON.parse(text) else { return nil }
        self.init(storedValue: doc)
    }
}
