/// Reads the choices, usage and model of an OpenAI chat completion straight from the reply's
/// bytes, skipping every other member, instead of building the whole document as a ``Value``
/// tree first: every LM call reads one reply.
///
/// It answers only what it is sure of. An `error` member, a member of another type than the API
/// defines, an empty or malformed choice list, or malformed JSON gives `nil`, and the caller parses
/// the whole document, which reports each of those as it always has. A differential test holds the
/// two readings equal.
enum ChatCompletionReader {
    struct Completion {
        var choices: [LMChoice]
        var usage: TokenUsage?
        var model: String?
    }

    /// The reply read, or nil when the whole document must be parsed instead.
    static func read(_ bytes: [UInt8]) -> Completion? {
        var reader = JSON.Reader(bytes, lenient: false)
        return try? reader.completion()
    }

    /// Something this reader leaves to the full parse.
    struct Unexpected: Error {}

    /// An object member's name, matched against the names the reader looks for (`case "usage":`)
    /// without building a `String` when it has no escapes: a reply's names are many, and the
    /// longer ones would each allocate.
    struct MemberName {
        /// The name's bytes as written, when it has no escapes.
        let raw: ArraySlice<UInt8>
        /// The name decoded, when it has escapes.
        let decoded: String?

        static func ~= (name: StaticString, key: MemberName) -> Bool {
            let bytes = UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
            if let decoded = key.decoded { return decoded.utf8.elementsEqual(bytes) }
            return key.raw.elementsEqual(bytes)
        }
    }
}

extension JSON.Reader {
    fileprivate mutating func completion() throws -> ChatCompletionReader.Completion {
        skipSpace()
        var choices: [LMChoice]?
        var usage: TokenUsage?
        var model: String?
        try openObject()
        var first = true
        while let key = try nextKey(&first) {
            switch key {
            case "choices": choices = try choiceList()
            case "usage": usage = try usageObject()
            case "model": model = try stringOrSkip(depth: 1)
            case "error": throw ChatCompletionReader.Unexpected()
            default: try skipValue(depth: 1)
            }
        }
        skipSpace()
        guard i == b.count, let choices, !choices.isEmpty else { throw ChatCompletionReader.Unexpected() }
        return ChatCompletionReader.Completion(choices: choices, usage: usage, model: model)
    }

    private mutating func choiceList() throws -> [LMChoice] {
        guard i < b.count, b[i] == UInt8(ascii: "[") else { throw ChatCompletionReader.Unexpected() }
        i += 1
        var choices: [LMChoice] = []
        var first = true
        while try nextElement(&first) {
            choices.append(try choice())
        }
        return choices
    }

    /// One choice: its `message.content`, else its `text`, and its `finish_reason`.
    private mutating func choice() throws -> LMChoice {
        guard i < b.count, b[i] == UInt8(ascii: "{") else { throw ChatCompletionReader.Unexpected() }
        try openObject()
        var hasMessage = false
        var content: String?
        var text: String?
        var finishReason: String?
        var first = true
        while let key = try nextKey(&first) {
            switch key {
            case "message":
                guard i < b.count, b[i] == UInt8(ascii: "{") else { throw ChatCompletionReader.Unexpected() }
                hasMessage = true
                content = try messageContent()
            case "text": text = try stringOrSkip(depth: 3)
            case "finish_reason": finishReason = try stringOrSkip(depth: 3)
            default: try skipValue(depth: 3)
            }
        }
        guard hasMessage || text != nil else { throw ChatCompletionReader.Unexpected() }
        return LMChoice(text: content ?? text, finishReason: finishReason)
    }

    private mutating func messageContent() throws -> String? {
        try openObject()
        var content: String?
        var first = true
        while let key = try nextKey(&first) {
            if "content" ~= key { content = try stringOrSkip(depth: 4) } else { try skipValue(depth: 4) }
        }
        return content
    }

    /// `usage`: its token counts when it is an object of integers (or nulls), nil when it is not
    /// an object.
    private mutating func usageObject() throws -> TokenUsage? {
        guard i < b.count, b[i] == UInt8(ascii: "{") else {
            try skipValue(depth: 1)
            return nil
        }
        try openObject()
        var prompt: Int?
        var completion: Int?
        var total: Int?
        var cached: Int?
        var first = true
        while let key = try nextKey(&first) {
            switch key {
            case "prompt_tokens": prompt = try integerOrNull()
            case "completion_tokens": completion = try integerOrNull()
            case "total_tokens": total = try integerOrNull()
            case "prompt_tokens_details":
                cached = nil
                guard i < b.count, b[i] == UInt8(ascii: "{") else {
                    try skipValue(depth: 2)
                    continue
                }
                try openObject()
                var firstDetail = true
                while let detail = try nextKey(&firstDetail) {
                    if "cached_tokens" ~= detail { cached = try integerOrNull() } else { try skipValue(depth: 3) }
                }
            default: try skipValue(depth: 2)
            }
        }
        return TokenUsage(promptTokens: prompt ?? 0, completionTokens: completion ?? 0, totalTokens: total, cachedTokens: cached ?? 0)
    }

    /// A string member's value; any other value is skipped and reads as nil (as `stringValue` does).
    private mutating func stringOrSkip(depth: Int) throws -> String? {
        if i < b.count, b[i] == UInt8(ascii: "\"") { return try string(quote: UInt8(ascii: "\"")) }
        try skipValue(depth: depth)
        return nil
    }

    /// An integer or `null`; anything else is left to the full parse.
    private mutating func integerOrNull() throws -> Int? {
        switch try value(depth: 3) {
        case .int(let n): return n
        case .null: return nil
        default: throw ChatCompletionReader.Unexpected()
        }
    }

    // MARK: Walking without building

    private mutating func openObject() throws(JSONParseError) {
        guard i < b.count, b[i] == UInt8(ascii: "{") else { throw fail("expected an object") }
        i += 1
    }

    /// The next member's key, with the reader on its value; nil after the object's `}`.
    private mutating func nextKey(_ first: inout Bool) throws(JSONParseError) -> ChatCompletionReader.MemberName? {
        guard try nextItem(closing: UInt8(ascii: "}"), &first) else { return nil }
        guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
        var end = i + 1
        while end < b.count, b[end] != UInt8(ascii: "\""), b[end] != UInt8(ascii: "\\"), b[end] >= 0x20 { end += 1 }
        let key: ChatCompletionReader.MemberName
        if end < b.count, b[end] == UInt8(ascii: "\"") {
            key = ChatCompletionReader.MemberName(raw: b[(i + 1)..<end], decoded: nil)
            i = end + 1
        } else {
            key = ChatCompletionReader.MemberName(raw: [], decoded: try string(quote: UInt8(ascii: "\"")))
        }
        skipSpace()
        guard i < b.count, b[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
        i += 1
        skipSpace()
        return key
    }

    /// True with the reader on the array's next element; false after its `]`.
    private mutating func nextElement(_ first: inout Bool) throws(JSONParseError) -> Bool {
        try nextItem(closing: UInt8(ascii: "]"), &first)
    }

    /// True with the reader on the next item of an object or array (after the `,` that separates
    /// it from the one before); false after the `closing` bracket.
    private mutating func nextItem(closing: UInt8, _ first: inout Bool) throws(JSONParseError) -> Bool {
        skipSpace()
        guard i < b.count else { throw fail(closing == UInt8(ascii: "}") ? "unterminated object" : "unterminated array") }
        if b[i] == closing {
            i += 1
            return false
        }
        if first {
            first = false
        } else {
            guard b[i] == UInt8(ascii: ",") else { throw fail("expected ',' or '\(Character(UnicodeScalar(closing)))'") }
            i += 1
            skipSpace()
        }
        return true
    }

    /// Steps over one value, accepting exactly what ``value(depth:)`` accepts in strict mode,
    /// without building it.
    mutating func skipValue(depth: Int) throws(JSONParseError) {
        guard depth < 512 else { throw fail("nesting too deep") }
        guard i < b.count else { throw fail("unexpected end of input") }
        switch b[i] {
        case UInt8(ascii: "{"):
            i += 1
            var first = true
            while try nextKey(&first) != nil { try skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            i += 1
            var first = true
            while try nextElement(&first) { try skipValue(depth: depth + 1) }
        case UInt8(ascii: "\""): try skipString()
        default: _ = try value(depth: depth)  // a number or a word: nothing to allocate
        }
    }

    /// Steps over a string, refusing what ``string(quote:)`` refuses in strict mode.
    private mutating func skipString() throws(JSONParseError) {
        i += 1
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return
            }
            if c == UInt8(ascii: "\\") {
                i += 1
                guard i < b.count else { break }
                let e = b[i]
                i += 1
                if e == UInt8(ascii: "u") {
                    let scalar = try hex4()
                    if scalar >= 0xD800 && scalar < 0xDC00, i + 1 < b.count, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u") {
                        i += 2
                        _ = try hex4()
                    }
                }
                continue
            }
            if c < 0x20 { throw fail("control character in string") }
            i += 1
        }
        throw fail("unterminated string")
    }
}
