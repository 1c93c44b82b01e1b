// The chat completion reader (choices, usage and model read straight from the reply's bytes)
// against the full parse it stands in for: whenever it answers, the full parse answers the same.

import Testing

@testable import DSPy

@Suite struct ChatCompletionReaderTests {
    /// The full parse's reading of `text`, or nil when it throws.
    private func fullParse(_ text: String) -> LMResponse? {
        guard let v = try? JSON.parse(bytes: Array(text.utf8)) else { return nil }
        return try? OpenAICompatibleBackend.parse(v, text: text, address: "test", model: "m")
    }

    /// Checks that the reader and the full parse agree on `text`; returns whether the reader answered.
    @discardableResult
    private func agree(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        guard let fast = ChatCompletionReader.read(Array(text.utf8)) else { return false }
        guard let full = fullParse(text) else {
            Issue.record("the reader accepted a reply the full parse refuses: \(text)", sourceLocation: sourceLocation)
            return true
        }
        #expect(fast.choices == full.choices, "\(text)", sourceLocation: sourceLocation)
        #expect(fast.usage == full.usage, "\(text)", sourceLocation: sourceLocation)
        #expect(fast.model == full.model, "\(text)", sourceLocation: sourceLocation)
        return true
    }

    @Test func readsTheRepliesServersSend() {
        let replies = [
            #"{"id":"x","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"[[ ## answer ## ]]\nParis\n\n[[ ## completed ## ]]","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":120,"completion_tokens":9,"total_tokens":129,"prompt_tokens_details":{"cached_tokens":64,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}},"system_fingerprint":"fp"}"#,
            // Ollama and llama.cpp: other members, whitespace, escapes, several choices.
            "{\n  \"model\" : \"llama\",\n  \"choices\" : [ { \"message\" : { \"content\" : \"a \\\"quoted\\\" \\u00e9\\ud83e\\uddea\" }, \"finish_reason\" : null },\n {\"message\":{\"content\":\"b\"},\"finish_reason\":\"length\"} ],\n  \"timings\" : {\"n\": [1, 2.5, -3e2, true, false, null, {\"deep\": [[[]]]}]} }\n",
            // A completion without a message object, null content, usage without totals.
            #"{"choices":[{"text":"legacy","finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":4}}"#,
            #"{"choices":[{"message":{"content":null,"tool_calls":[]},"text":"fallback"}],"usage":null,"model":5}"#,
            #"{"choices":[{"message":{}}],"usage":{"prompt_tokens_details":null,"total_tokens":null}}"#,
            #"{"choices":[{"message":{"content":"escaped \u0001 control"}}]}"#,
            // Member names written with escapes are the same names.
            #"{"ch\u006fices":[{"m\u0065ssage":{"c\u006fntent":"x"},"finish_\u0072eason":"stop"}],"\u0075sage":{"total_t\u006fkens":3}}"#,
        ]
        for reply in replies { #expect(agree(reply), "\(reply)") }
        let escapedNames = ChatCompletionReader.read(Array(replies[replies.count - 1].utf8))
        #expect(escapedNames?.choices == [LMChoice(text: "x", finishReason: "stop")])
        #expect(escapedNames?.usage?.totalTokens == 3)
    }

    @Test func leavesEverythingUnusualToTheFullParse() {
        let unusual = [
            #"{"error":{"message":"quota"}}"#,
            #"{"choices":[],"model":"m"}"#,
            #"{"choices":[{"index":0}]}"#,
            #"{"choices":[{"message":"not an object"}]}"#,
            #"{"choices":{"0":{}}}"#,
            #"{"choices":[1]}"#,
            #"{"choices":[{"message":{"content":"x"}}],"usage":{"prompt_tokens":1.0}}"#,
            #"{"choices":[{"message":{"content":"x"}}],"usage":{"prompt_tokens":"1"}}"#,
            #"{"choices":[{"message":{"content":"x"}}]} trailing"#,
            #"{"choices":[{"message":{"content":"x"}}],}"#,
            "{\"choices\":[{\"message\":{\"content\":\"raw \u{01} control\"}}]}",
            #"{"choices":[{"message":{"content":"x"}}],"bad":"\uZZZZ"}"#,
            #"{"choices":[{"message":{"content":"x"}}],"n":1.2.3}"#,
            #"[{"choices":[]}]"#,
            "",
            #"{"choices":[{"message":{"content":"x"}}]"#,
        ]
        for reply in unusual { #expect(!agree(reply), "\(reply)") }
    }

    @Test func agreesWithTheFullParseOnDuplicatesAndNesting() {
        // The last of duplicate members wins, in both readings.
        #expect(
            agree(
                #"{"model":"a","choices":[{"message":{"content":"1"}}],"model":"b","choices":[{"message":{"content":"2"},"message":{"content":"3"}}]}"#
            ))
        #expect(agree(#"{"choices":[{"message":{"content":"x"}}],"usage":{"prompt_tokens":1},"usage":7}"#))
        #expect(agree(#"{"choices":[{"message":{"content":"x"}}],"usage":{"prompt_tokens_details":{"cached_tokens":5},"prompt_tokens_details":[]}}"#))
        // Nesting at the parser's limit is refused by both, not read by one.
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(!agree(#"{"choices":[{"message":{"content":"x"}}],"extra":\#(deep)}"#))
        let deepObject = String(repeating: #"{"a":"#, count: 600) + "1" + String(repeating: "}", count: 600)
        #expect(!agree(#"{"choices":[{"message":{"content":"x","meta":\#(deepObject)}}]}"#))
    }

    @Test func randomRepliesAndCorruptionsAgree() {
        var rng = SystemRandomNumberGenerator()
        let scalars = [
            "1", "-7", "2.5", "1e3", "true", "null", #""s""#, #""\n\u00e9""#, "[]", "{}", #"[1,{"a":[null]}]"#, #"{"k":"v"}"#,
        ]
        func anyValue() -> String { scalars.randomElement(using: &rng) ?? "null" }
        func member(_ key: String, _ values: [String]) -> String {
            // Mostly a value of the member's type, sometimes any other.
            "\"\(key)\":" + (Int.random(in: 0..<10, using: &rng) > 0 ? (values.randomElement(using: &rng) ?? "null") : anyValue())
        }
        func object(_ members: [String]) -> String { "{" + members.shuffled(using: &rng).joined(separator: ",") + "}" }
        func choice() -> String {
            var members: [String] = []
            if Int.random(in: 0..<4, using: &rng) > 0 {
                members.append(member("message", [object([member("content", [#""answer""#, "null"]), member("role", [#""assistant""#])])]))
            }
            if Bool.random(using: &rng) { members.append(member("text", [#""text""#])) }
            if Bool.random(using: &rng) { members.append(member("finish_reason", [#""stop""#, "null"])) }
            if Bool.random(using: &rng) { members.append(member("index", ["0"])) }
            return object(members)
        }
        func usage() -> String {
            var members: [String] = []
            for key in ["prompt_tokens", "completion_tokens", "total_tokens"] where Bool.random(using: &rng) {
                members.append(member(key, ["12", "0", "null"]))
            }
            if Bool.random(using: &rng) { members.append(member("prompt_tokens_details", [object([member("cached_tokens", ["4", "null"])])])) }
            return object(members)
        }
        var answered = 0
        for _ in 0..<3_000 {
            var members: [String] = []
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                members.append(member("choices", ["[" + (0..<Int.random(in: 1...3, using: &rng)).map { _ in choice() }.joined(separator: ",") + "]"]))
            }
            if Bool.random(using: &rng) { members.append(member("usage", [usage()])) }
            if Bool.random(using: &rng) { members.append(member("model", [#""gpt""#])) }
            if Int.random(in: 0..<10, using: &rng) == 0 { members.append(member("error", [#"{"message":"e"}"#])) }
            if Bool.random(using: &rng) { members.append(member("id", [#""chatcmpl""#])) }
            var text = object(members)
            if Int.random(in: 0..<4, using: &rng) == 0 {
                // Corrupt one byte, or cut the reply short.
                var bytes = Array(text.utf8)
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                if Bool.random(using: &rng) { bytes[at] = UInt8.random(in: 0...127, using: &rng) } else { bytes.removeSubrange(at...) }
                text = String(decoding: bytes, as: UTF8.self)
            }
            if agree(text) { answered += 1 }
        }
        // Most well-formed replies are read by the reader itself.
        #expect(answered > 500)
    }
}
