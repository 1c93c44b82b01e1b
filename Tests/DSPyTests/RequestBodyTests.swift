// The chat request body written straight from the request (OpenAICompatibleBackend.bodyBytes)
// against the `Value` tree it stands in for, serialized as compact JSON: byte for byte the same;
// and a backend, which holds the key the body is sent with, printed without it.

import OrderedCollections
import Testing

@testable import DSPy

@Suite struct RequestBodyTests {
    private func expectSameBody(_ request: LMRequest, provider: String, _ comment: Comment? = nil) {
        let backend = OpenAICompatibleBackend(apiBase: "http://127.0.0.1:1/v1", apiKey: nil, providerName: provider)
        let direct = String(decoding: backend.bodyBytes(request), as: UTF8.self)
        let viaTree = JSON.compact(backend.body(request))
        #expect(direct == viaTree, comment)
    }

    @Test func aPredictCallsBodyIsTheTreesJSON() throws {
        let messages = ChatAdapter().format(
            signature: try Signature("question -> answer"), demos: [], inputs: ["question": "Why \"quotes\"?\n\tAnd tabs."])
        let request = LMRequest(
            model: "gpt-4o-mini", messages: messages, parameters: ["temperature": 0.0, "max_tokens": 4000, "rollout_id": nil, "stop": ["\n\n"]])
        expectSameBody(request, provider: "openai")
        expectSameBody(request, provider: "ollama")
        let backend = OpenAICompatibleBackend(apiBase: "http://127.0.0.1:1/v1", apiKey: nil, providerName: "openai")
        let text = String(decoding: backend.bodyBytes(request), as: UTF8.self)
        #expect(text.hasPrefix(#"{"model":"gpt-4o-mini","messages":[{"role":"system","content":"Your input fields are:"#))
        #expect(text.hasSuffix(#""temperature":0.0,"max_completion_tokens":4000,"stop":["\n\n"]}"#), "\(text.suffix(80))")
    }

    @Test func aParameterNamedLikeABodyFieldReplacesItInPlace() {
        let request = LMRequest(model: "m", messages: [.user("hi")], parameters: ["seed": 1, "model": "other", "messages": []])
        expectSameBody(request, provider: "openai")
        let backend = OpenAICompatibleBackend(apiBase: "http://127.0.0.1:1/v1", apiKey: nil, providerName: "openai")
        #expect(String(decoding: backend.bodyBytes(request), as: UTF8.self) == #"{"model":"other","messages":[],"seed":1}"#)
    }

    @Test func aBackendPrintedOrDumpedShowsNoKey() {
        let key = "sk-never-printed-0123456789"
        let backends: [any LMBackend] = [
            OpenAICompatibleBackend(apiBase: "http://127.0.0.1:1/v1", apiKey: key),
            AnthropicBackend(apiBase: "http://127.0.0.1:1/v1", apiKey: key),
        ]
        for backend in backends {
            var dumped = ""
            dump(backend, to: &dumped)
            for text in [String(describing: backend), String(reflecting: backend), dumped] {
                #expect(!text.contains("never-printed"), "\(text)")
                #expect(text.contains("127.0.0.1"), "\(text)")
            }
        }
    }

    @Test func randomRequestsWriteTheTreesJSON() {
        var rng = SystemRandomNumberGenerator()
        let pieces = ["a", "é", "日本", "🙂", "\"", "\\", "\n", "\r\n", "\t", "\u{01}", "\u{1F}", "\u{7F}", " ", "{", "}", "[", ",", ":"]
        func text() -> String { (0..<Int.random(in: 0..<12, using: &rng)).map { _ in pieces.randomElement(using: &rng) ?? "" }.joined() }
        func value(_ depth: Int) -> Value {
            switch Int.random(in: 0..<(depth > 2 ? 5 : 7), using: &rng) {
            case 0: return .null
            case 1: return .bool(Bool.random(using: &rng))
            case 2: return .int(Int.random(in: -1_000...1_000_000, using: &rng))
            case 3: return .double(Double.random(in: -2...2, using: &rng))
            case 4: return .string(text())
            case 5: return .array((0..<Int.random(in: 0..<3, using: &rng)).map { _ in value(depth + 1) })
            default:
                var o = OrderedDictionary<String, Value>()
                for _ in 0..<Int.random(in: 0..<3, using: &rng) { o[text()] = value(depth + 1) }
                return .object(o)
            }
        }
        let keys = [
            "temperature", "max_tokens", "max_completion_tokens", "n", "stop", "rollout_id", "dspy_completion_index", "seed", "model", "messages",
        ]
        let roles: [Message.Role] = [.system, .user, .assistant, .tool]
        for i in 0..<2_000 {
            var parameters = OrderedDictionary<String, Value>()
            for _ in 0..<Int.random(in: 0..<6, using: &rng) { parameters[keys.randomElement(using: &rng) ?? "n"] = value(0) }
            let messages = (0..<Int.random(in: 0..<4, using: &rng)).map { _ in Message(roles.randomElement(using: &rng) ?? .user, text()) }
            let request = LMRequest(model: text(), messages: messages, parameters: parameters)
            expectSameBody(request, provider: i.isMultiple(of: 2) ? "openai" : "vllm", "\(request)")
        }
    }
}
