// The one definition of how an LM request is compared in the DSPy program corpus
// (Tests/Fixtures/dspy): `fixture-server` writes requests in this form for
// Scripts/dspy-corpus, and DSPyProgramCorpusTests normalizes what `dspy-repl` sends with it.

import DSPy

/// Turns a chat-completions request into the form the corpus fixtures store and compare.
///
/// A request to `POST /v1/chat/completions` with a JSON object body becomes
/// `{"messages": [...], "model": "...", "params": {...}}`:
///
/// - `model` is the body's `model` as sent (`"fixture"` for `dspy.LM("openai/fixture")`);
/// - `messages` is the body's `messages` as sent (every key of every message kept);
/// - `params` is every other key of the body: the sampling parameters (`temperature`,
///   `max_completion_tokens`, `max_tokens`, `n`, `stop`, `top_p`, `response_format`, `stream`,
///   `stream_options`, `tools`, ...), minus keys whose value is `null` (not sending a key and
///   sending `null` mean the same to the server) and minus ``clientKeys``, settings of the
///   client that some clients leak into the body and no server reads.
///
/// Anything else (another path or method, a body that is no JSON object) becomes
/// `{"body": "<text>", "method": "...", "path": "..."}`, so it shows up in a comparison.
///
/// Every object's keys are sorted and every number that is a whole number is written as an
/// integer (`1.0` and `1` are the same JSON number to a server), so the compact JSON text of
/// the normalized value (``line(_:)``) is the same for requests that mean the same. Requests
/// are compared as a multiset: ``sorted(_:)`` orders the lines by their UTF-8 bytes, which
/// is also the order Python's `sorted()` gives for `str` (code point order).
public enum FixtureNormalization {
    /// The only endpoint the corpus uses.
    public static let chatPath = "/v1/chat/completions"

    /// Body keys that configure the client, not the completion; dropped from `params`.
    public static let clientKeys: Set<String> = [
        "api_key", "api_base", "base_url", "timeout", "request_timeout", "headers", "extra_headers",
        "num_retries", "max_retries", "cache", "caching",
    ]

    /// The normalized form of a request.
    public static func normalize(_ request: RecordedRequest) -> Value {
        normalize(method: request.method, path: request.path, body: request.body)
    }

    /// The normalized form of a request given by its parts.
    public static func normalize(method: String, path: String, body: [UInt8]) -> Value {
        let text = String(decoding: body, as: UTF8.self)
        guard method == "POST", path == chatPath, let json = try? JSON.parse(bytes: body),
            let object = json.objectValue
        else {
            return ["body": .string(text), "method": .string(method), "path": .string(path)]
        }
        var params: [String: Value] = [:]
        for (key, value) in object where key != "model" && key != "messages" && !value.isNull && !clientKeys.contains(key) {
            params[key] = canonical(value)
        }
        let normalized: Value = [  // keys in sorted order
            "messages": canonical(object["messages"] ?? .null),
            "model": canonical(object["model"] ?? .null),
            "params": params.dspyValue,
        ]
        return normalized
    }

    /// The normalized request as one line of compact JSON (no newline), as fixtures store it.
    public static func line(_ request: RecordedRequest) -> String { JSON.compact(normalize(request)) }

    /// Lines in the order fixtures store them: by their UTF-8 bytes.
    public static func sorted(_ lines: [String]) -> [String] {
        lines.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Sorted object keys (recursively) and whole numbers as integers.
    static func canonical(_ value: Value) -> Value {
        switch value {
        case .object(let o):
            var sortedObject: [String: Value] = [:]
            for (key, element) in o { sortedObject[key] = canonical(element) }
            return sortedObject.dspyValue
        case .array(let a):
            return .array(a.map(canonical))
        case .double(let d) where d.rounded() == d && abs(d) < 9_007_199_254_740_992:
            return .int(Int(d))
        default:
            return value
        }
    }
}
