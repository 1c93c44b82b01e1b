// The deterministic OpenAI-compatible LM behind the DSPy program corpus (Tests/Fixtures/dspy).

import DSPy
import Foundation

/// A deterministic OpenAI-compatible chat-completions server for ``LoopbackServer``: its reply
/// is a pure function of the request body, so Python DSPy and `dspy-repl` sending the same
/// request get the same reply.
///
/// Rules (`POST /v1/chat/completions` only; anything else gets a 404 JSON error, a body that
/// is no JSON object a 400):
///
/// 1. **Seed.** Every generated value comes from FNV-1a (32-bit) over the model, every
///    message's role and text, and the field name, each followed by a newline (plus `i` for
///    choice `i > 0`), and from that seed's children for nested values; so requests that differ
///    anywhere get different values. `tag` is the seed's low 16 bits as 4 hex digits.
/// 2. **Inputs.** The last user message's `[[ ## name ## ]]` sections, up to its
///    `Respond with ...` line. The *subject* is the first section's first line, cut at 60
///    characters; the *words* are the distinct lowercase words (3+ letters or digits) of all
///    sections, in order.
/// 3. **Output fields** are read from the system message: the names from `Your output fields
///    are:` (`1. \`answer\` (str): ...`), each field's type from its `# note: the value you
///    produce ...` in the structure section (JSONAdapter's JSON-quoted notes included).
///    - no note (str): `"<field> <tag>: <subject>"`; a model other than `fixture` adds its name:
///      `"<field> <tag> (<model>): <subject>"`;
///    - `must be True or False`: `True` when the seed is even;
///    - `must be a single int value`: seed mod 100; `... float value`: (seed mod 100) / 100;
///    - `must exactly match (no extra characters) one of: a; b` and `must be one of: a; b`:
///      option number seed mod count;
///    - `must adhere to the JSON schema: S`: a value built from S (`$ref`/`$defs`, `anyOf` takes
///      its first non-null branch, `enum`, `const`; `string` → as for str when it is the field's
///      own value, the i-th word (else `"<name><i+1>"`) as an array item, `"<name> <tag>"` as an
///      object property; `integer`, `number`, `boolean` as above; `array` → 2 or 3 items;
///      `object` → its `properties`, or two entries keyed by the first two words (else `key1`,
///      `key2`) for `additionalProperties`).
/// 4. **ChatAdapter reply**: `[[ ## field ## ]]\nvalue` sections joined by blank lines, then
///    `[[ ## completed ## ]]`; values as Python writes them (`True`, `0.57`, JSON for lists and
///    dicts). **JSON reply** (the request has `response_format`, or its last user message says
///    `Respond with a JSON object`): one JSON object with the fields in signature order.
/// 5. **ReAct** (output fields `next_tool_name` and `next_tool_args`): with k observations in
///    the trajectory (`[[ ## observation_k ## ]]`), the k-th tool of the `next_tool_name`
///    options other than `finish` is called, with every argument of its schema (read from
///    `(N) name, whose description is <desc>...</desc>. It takes arguments {...}.`) that has no
///    `default`: strings get the subject, other types follow rule 3. With no tool left it is
///    `finish` with `{}`. The extract step (no such fields) is answered by rule 3.
/// 6. **Failures on purpose.** A last user message containing `!fail` is answered with
///    `I cannot answer that.` (no adapter can parse it). A model whose name ends in `-plain`
///    answers ChatAdapter requests with the bare values, without `[[ ## ]]` markers (so DSPy
///    falls back to the JSONAdapter, whose request it answers normally).
/// 7. **No signature** (no `Your output fields are:`, e.g. `lm("hi")`): `"reply <tag>: <subject>"`
///    (with the model as in rule 3), where the subject is the last user message's first line.
/// 8. **Choices and usage.** `n` in the body (1...8) gives that many choices. Usage is
///    `prompt_tokens` = ⌈UTF-8 bytes of all message texts / 4⌉, `completion_tokens` = the same
///    over the reply texts, `total_tokens` their sum. `id` is `chatcmpl-fixture`, `created` 0.
/// 9. **Streaming** (`stream: true`): server-sent `chat.completion.chunk` events, one per word
///    of the first choice (a word with the whitespace after it; the first also carries
///    `role`), then one with `finish_reason: "stop"`, then, when `stream_options.include_usage`
///    is true, one with empty `choices` and the usage, then `data: [DONE]`.
public enum FixtureResponder {
    /// The model name that gets no model tag in generated strings.
    public static let defaultModel = "fixture"

    /// A ``LoopbackServer`` handler that answers with ``reply(to:)``.
    public static let handler: LoopbackServer.Handler = { request in reply(to: request) }

    /// The reply to one request.
    public static func reply(to request: RecordedRequest) -> Reply {
        reply(method: request.method, path: request.path, body: request.body)
    }

    /// The reply to a request given by its method, path (without query) and body.
    public static func reply(method: String, path: String, body bytes: [UInt8]) -> Reply {
        guard method == "POST", path == FixtureNormalization.chatPath else {
            return .json(status: 404, error("the fixture server answers only POST \(FixtureNormalization.chatPath)"))
        }
        guard let body = try? JSON.parse(bytes: bytes), body.objectValue != nil else {
            return .json(status: 400, error("the request body is not a JSON object"))
        }
        let model = body["model"].stringValue ?? ""
        let texts = completions(for: body)
        let usage = usage(prompt: body["messages"], replies: texts)
        guard body["stream"].boolValue == true else {
            let choices: [Value] = texts.enumerated().map { i, text in
                ["index": .int(i), "message": ["role": "assistant", "content": .string(text)], "finish_reason": "stop"]
            }
            return .json(envelope(model: model, object: "chat.completion", choices: choices, usage: usage))
        }
        var events: [String] = []
        for (i, piece) in words(texts.first ?? "").enumerated() {
            var delta: [String: Value] = ["content": .string(piece)]
            if i == 0 { delta["role"] = "assistant" }
            let choice: Value = ["index": 0, "delta": delta.dspyValue, "finish_reason": .null]
            events.append(JSON.compact(envelope(model: model, object: "chat.completion.chunk", choices: [choice])))
        }
        let last: Value = ["index": 0, "delta": [:], "finish_reason": "stop"]
        events.append(JSON.compact(envelope(model: model, object: "chat.completion.chunk", choices: [last])))
        if body["stream_options"]["include_usage"].boolValue == true {
            events.append(JSON.compact(envelope(model: model, object: "chat.completion.chunk", choices: [], usage: usage)))
        }
        events.append("[DONE]")
        return .stream(steps: StreamStep.events(events))
    }

    /// The reply texts (one per choice) for a chat-completions request body.
    public static func completions(for body: Value) -> [String] {
        let model = body["model"].stringValue ?? ""
        let messages = (body["messages"].arrayValue ?? []).map { (role: $0["role"].stringValue ?? "", text: text(of: $0)) }
        let system = messages.first { $0.role == "system" }?.text ?? ""
        let user = messages.last { $0.role == "user" }?.text ?? ""
        let count = min(max(body["n"].intValue ?? 1, 1), 8)
        let wantsJSON = !body["response_format"].isNull || user.contains("Respond with a JSON object")
        return (0..<count).map { choice in
            if user.contains("!fail") { return "I cannot answer that." }
            let request = ChatRequest(model: model, messages: messages, system: system, user: user, choice: choice)
            guard let fields = outputFields(system) else {
                return request.text(field: "reply", subject: subjectLine(user))
            }
            let values = request.values(for: fields)
            if wantsJSON {
                return "{"
                    + values.map { JSON.pythonDumps(.string($0.name)) + ": " + JSON.pythonDumps($0.value) }
                    .joined(separator: ", ") + "}"
            }
            if model.hasSuffix("-plain") {
                return values.map { chatText($0.value) }.joined(separator: "\n\n")
            }
            return values.map { "[[ ## \($0.name) ## ]]\n" + chatText($0.value) }.joined(separator: "\n\n")
                + "\n\n[[ ## completed ## ]]\n"
        }
    }

    // MARK: - Reading the request

    /// An output field and what its note says about its type.
    struct OutputField {
        enum Kind { case text, bool, int, float, options([String]), schema(Value) }
        let name: String
        let kind: Kind
    }

    /// The output fields of a ChatAdapter/JSONAdapter system message, or nil when it has none.
    static func outputFields(_ system: String) -> [OutputField]? {
        guard let start = system.range(of: "Your output fields are:\n") else { return nil }
        let rest = system[start.upperBound...]
        let end = rest.range(of: "\nAll interactions will be structured")?.lowerBound ?? rest.endIndex
        var fields: [OutputField] = []
        for line in rest[..<end].split(separator: "\n") {
            // "1. `answer` (str): description"
            guard let dot = line.range(of: ". `"), line[..<dot.lowerBound].allSatisfy(\.isNumber),
                !line[..<dot.lowerBound].isEmpty,
                let close = line[dot.upperBound...].firstIndex(of: "`")
            else { continue }
            let name = String(line[dot.upperBound..<close])
            fields.append(OutputField(name: name, kind: kind(note(for: name, in: system))))
        }
        return fields.isEmpty ? nil : fields
    }

    /// The text after `# note: the value you produce ` on the field's structure line.
    static func note(for name: String, in system: String) -> String? {
        let marker = "{\(name)}        # note: the value you produce "
        guard let found = system.range(of: marker) else { return nil }
        let lineStart = system[..<found.lowerBound].lastIndex(of: "\n").map { system.index(after: $0) } ?? system.startIndex
        let lineEnd = system[found.upperBound...].firstIndex(of: "\n") ?? system.endIndex
        var line = system[lineStart..<lineEnd].trimmingCharacters(in: .whitespaces)
        if line.hasPrefix("\"") {
            // JSONAdapter: `"answer": "{answer}        # note: ...",` — the note is a JSON string.
            if line.hasSuffix(",") { line.removeLast() }
            guard let colon = line.range(of: "\": "), case .string(let decoded)? = try? JSON.parse(String(line[colon.upperBound...]))
            else { return nil }
            line = decoded
        }
        guard let text = line.range(of: "# note: the value you produce ") else { return nil }
        return String(line[text.upperBound...])
    }

    static func kind(_ note: String?) -> OutputField.Kind {
        guard let note else { return .text }
        if note == "must be True or False" { return .bool }
        if note == "must be a single int value" { return .int }
        if note == "must be a single float value" { return .float }
        for prefix in ["must exactly match (no extra characters) one of: ", "must be one of: "] where note.hasPrefix(prefix) {
            let options = note.dropFirst(prefix.count).components(separatedBy: "; ")
            return options.isEmpty ? .text : .options(options)
        }
        let schemaPrefix = "must adhere to the JSON schema: "
        if note.hasPrefix(schemaPrefix), let schema = try? JSON.parse(String(note.dropFirst(schemaPrefix.count))) {
            return .schema(schema)
        }
        return .text
    }

    /// A message's text: its `content` string, or the text parts of a content list.
    static func text(of message: Value) -> String {
        if let s = message["content"].stringValue { return s }
        return (message["content"].arrayValue ?? []).compactMap { $0["text"].stringValue }.joined(separator: "\n")
    }

    /// The `[[ ## name ## ]]` sections of a user message, up to its `Respond with` line.
    static func inputSections(_ user: String) -> [(name: String, value: String)] {
        var body = user
        if body.hasPrefix("Respond with ") {
            body = ""  // a call that passed no input field
        } else if let respond = body.range(of: "\n\nRespond with ") {
            body = String(body[..<respond.lowerBound])
        }
        var sections: [(name: String, value: String)] = []
        var rest = body[...]
        while let open = rest.range(of: "[[ ## ") {
            guard let close = rest[open.upperBound...].range(of: " ## ]]") else { break }
            let name = String(rest[open.upperBound..<close.lowerBound])
            let after = rest[close.upperBound...]
            let next = after.range(of: "\n[[ ## ")?.lowerBound ?? after.endIndex
            sections.append((name, after[..<next].trimmingCharacters(in: .whitespacesAndNewlines)))
            rest = after[next...]
        }
        return sections
    }

    /// The first line of a text, cut at 60 characters.
    static func subjectLine(_ text: String) -> String {
        let first = text.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? ""
        let trimmed = first.trimmingCharacters(in: .whitespaces)
        return trimmed.count > 60 ? String(trimmed.prefix(60)) : trimmed
    }

    // MARK: - Generating values

    /// One choice of one request: what every generated value derives from.
    struct ChatRequest {
        let model: String
        /// Model, roles and texts of every message: what every seed starts from.
        let transcript: String
        let system: String
        let user: String
        let choice: Int
        let subject: String
        let words: [String]
        let observations: Int

        init(model: String, messages: [(role: String, text: String)], system: String, user: String, choice: Int) {
            self.model = model
            transcript = messages.reduce(model + "\n") { $0 + $1.role + "\n" + $1.text + "\n" }
            self.system = system
            self.user = user
            self.choice = choice
            let sections = FixtureResponder.inputSections(user)
            subject = FixtureResponder.subjectLine(sections.first?.value ?? "")
            var seen: Set<String> = []
            var words: [String] = []
            for section in sections {
                for word in section.value.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) }) where word.count >= 3 {
                    if seen.insert(String(word)).inserted { words.append(String(word)) }
                }
            }
            self.words = words
            observations = user.components(separatedBy: "[[ ## observation_").count - 1
        }

        func seed(_ field: String) -> Seed {
            Seed(transcript + field + "\n" + (choice > 0 ? "\(choice)" : ""))
        }

        /// `"<field> <tag>: <subject>"`, with the model's name unless it is the default.
        func text(field: String, subject: String) -> String {
            let model = self.model == FixtureResponder.defaultModel ? "" : " (\(self.model))"
            let head = "\(field) \(seed(field).tag)\(model)"
            return subject.isEmpty ? head : head + ": " + subject
        }

        func values(for fields: [OutputField]) -> [(name: String, value: Value)] {
            let names = Set(fields.map(\.name))
            let react = names.contains("next_tool_name") && names.contains("next_tool_args")
            let step = react ? reactStep(fields) : nil
            return fields.map { field in
                if let step, field.name == "next_tool_name" { return (field.name, .string(step.tool)) }
                if let step, field.name == "next_tool_args" { return (field.name, step.args) }
                return (field.name, value(field))
            }
        }

        func value(_ field: OutputField) -> Value {
            let seed = seed(field.name)
            switch field.kind {
            case .text: return .string(text(field: field.name, subject: subject))
            case .bool: return .bool(seed.value % 2 == 0)
            case .int: return .int(Int(seed.value % 100))
            case .float: return .double(Double(seed.value % 100) / 100)
            case .options(let options): return .string(options[Int(seed.value % UInt32(options.count))])
            case .schema(let schema): return generate(schema, root: schema, name: field.name, seed: seed, place: .field, depth: 0)
            }
        }

        /// Where a generated value sits: a field's own value, an array item, an object property.
        enum Place { case field, item(Int), property }

        /// A value that fits a JSON schema.
        func generate(_ schema: Value, root: Value, name: String, seed: Seed, place: Place, depth: Int) -> Value {
            guard depth < 8 else { return .null }
            if let ref = schema["$ref"].stringValue, ref.hasPrefix("#/$defs/") {
                let target = root["$defs"][String(ref.dropFirst("#/$defs/".count))]
                return generate(target, root: root, name: name, seed: seed, place: place, depth: depth + 1)
            }
            if let branches = schema["anyOf"].arrayValue, let branch = branches.first(where: { $0["type"].stringValue != "null" }) {
                return generate(branch, root: root, name: name, seed: seed, place: place, depth: depth + 1)
            }
            if let options = schema["enum"].arrayValue, !options.isEmpty { return options[Int(seed.value % UInt32(options.count))] }
            if let constant = schema.objectValue?["const"] { return constant }
            let type = schema["type"].stringValue ?? schema["type"].arrayValue?.compactMap(\.stringValue).first { $0 != "null" }
            switch type {
            case "integer": return .int(Int(seed.value % 100))
            case "number": return .double(Double(seed.value % 100) / 100)
            case "boolean": return .bool(seed.value % 2 == 0)
            case "null": return .null
            case "array":
                return .array(
                    (0..<(2 + Int(seed.value % 2))).map { i in
                        generate(schema["items"], root: root, name: name, seed: seed.child("\(i)"), place: .item(i), depth: depth + 1)
                    })
            case "object":
                if let properties = schema["properties"].objectValue, !properties.isEmpty {
                    var object: [String: Value] = [:]
                    for (key, property) in properties {
                        object[key] = generate(property, root: root, name: key, seed: seed.child(key), place: .property, depth: depth + 1)
                    }
                    return object.dspyValue
                }
                var object: [String: Value] = [:]
                for i in 0..<2 {
                    let key = i < words.count ? words[i] : "key\(i + 1)"
                    let valueSchema: Value = schema["additionalProperties"].objectValue != nil ? schema["additionalProperties"] : [:]
                    object[key] = generate(valueSchema, root: root, name: key, seed: seed.child(key), place: .property, depth: depth + 1)
                }
                return object.dspyValue
            default:
                switch place {
                case .field: return .string(text(field: name, subject: subject))
                case .item(let i): return .string(i < words.count ? words[i] : "\(name)\(i + 1)")
                case .property: return .string("\(name) \(seed.tag)")
                }
            }
        }

        /// ReAct's next step: the k-th real tool after k observations, then `finish`.
        func reactStep(_ fields: [OutputField]) -> (tool: String, args: Value) {
            guard let nameField = fields.first(where: { $0.name == "next_tool_name" }),
                case .options(let options) = nameField.kind
            else { return ("finish", [:]) }
            let tools = options.filter { $0 != "finish" }
            guard observations < tools.count else { return ("finish", [:]) }
            let tool = tools[observations]
            let seed = seed("next_tool_args")
            var args: [String: Value] = [:]
            for (arg, schema) in toolArguments(tool)?.objectValue ?? [:] where schema.objectValue?["default"] == nil {
                args[arg] =
                    schema["type"].stringValue == "string"
                    ? .string(subject)
                    : generate(schema, root: schema, name: arg, seed: seed.child(arg), place: .property, depth: 0)
            }
            return (tool, args.dspyValue)
        }

        /// The `{...}` after `(N) tool, whose description is <desc>...</desc>. It takes arguments `.
        func toolArguments(_ tool: String) -> Value? {
            guard let entry = system.range(of: ") \(tool), whose description is <desc>"),
                let takes = system[entry.upperBound...].range(of: "</desc>. It takes arguments {")
            else { return nil }
            var depth = 0
            var quote: Character?
            var escaped = false
            var index = system.index(before: takes.upperBound)
            while index < system.endIndex {
                let c = system[index]
                if let q = quote {
                    if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == q { quote = nil }
                } else if c == "'" || c == "\"" {
                    quote = c
                } else if c == "{" {
                    depth += 1
                } else if c == "}" {
                    depth -= 1
                    if depth == 0 {
                        return try? JSON.parseLenient(String(system[system.index(before: takes.upperBound)...index]))
                    }
                }
                index = system.index(after: index)
            }
            return nil
        }
    }

    /// FNV-1a (32-bit) of a text.
    struct Seed {
        let value: UInt32

        init(_ text: String) {
            var hash: UInt32 = 2_166_136_261
            for byte in text.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
            value = hash
        }

        /// The seed of a nested value.
        func child(_ key: String) -> Seed { Seed("\(value)/\(key)") }

        /// The low 16 bits as 4 hex digits.
        var tag: String {
            let hex = String(value & 0xffff, radix: 16)
            return String(repeating: "0", count: 4 - hex.count) + hex
        }
    }

    // MARK: - Writing the reply

    /// A value as a ChatAdapter section writes it: strings bare, the rest as Python/JSON does.
    static func chatText(_ value: Value) -> String {
        switch value {
        case .string(let s): return s
        case .bool, .int, .double, .null: return value.pythonStr
        case .array, .object: return JSON.pythonDumps(value)
        }
    }

    /// Words with the whitespace after each (the streamed pieces).
    static func words(_ text: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        var inSpace = false
        for c in text {
            if c.isWhitespace {
                inSpace = true
            } else if inSpace {
                pieces.append(current)
                current = ""
                inSpace = false
            }
            current.append(c)
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
    }

    static func usage(prompt messages: Value, replies: [String]) -> Value {
        func tokens(_ bytes: Int) -> Int { (bytes + 3) / 4 }
        let promptBytes = (messages.arrayValue ?? []).reduce(0) { $0 + text(of: $1).utf8.count }
        let prompt = tokens(promptBytes)
        let completion = replies.reduce(0) { $0 + tokens($1.utf8.count) }
        return ["prompt_tokens": .int(prompt), "completion_tokens": .int(completion), "total_tokens": .int(prompt + completion)]
    }

    static func envelope(model: String, object: String, choices: [Value], usage: Value? = nil) -> Value {
        var envelope: [String: Value] = [
            "id": "chatcmpl-fixture", "object": .string(object), "created": 0,
            "model": .string(model), "choices": .array(choices),
        ]
        if let usage { envelope["usage"] = usage }
        return envelope.dspyValue  // sorted keys
    }

    static func error(_ message: String) -> Value {
        ["error": ["message": .string(message), "type": "invalid_request_error"]]
    }
}
