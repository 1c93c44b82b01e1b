import Foundation
import OrderedCollections
import Synchronization

/// The offline `dummy` LM: answers instantly and deterministically, in the format the adapter
/// asked for. With no script it fills every requested output field with a value of the right
/// type; with a script it replays the given answers in order, as DSPy's `DummyLM` does.
public final class DummyBackend: LMBackend {
    /// One scripted reply.
    public enum Answer: Sendable {
        /// Output field values, rendered in the requesting adapter's format.
        case fields(OrderedDictionary<String, Value>)
        /// Reply text sent exactly as given (for testing parse failures).
        case raw(String)
        /// Fail this call with the given error.
        case error(LMError)
    }

    private let script: Locked<[Answer]>?
    private let callCount = Atomic<Int>(0)
    /// Simulated latency per call, for trying concurrency offline.
    public let latency: Duration
    /// It answers `n` completions in one call (from its script, in order).
    public var completesManyAtOnce: Bool { true }

    /// A backend that fills every output field (`LM("dummy")`).
    public init(latency: Duration = .zero) {
        script = nil
        self.latency = latency
    }

    /// A backend that replays `answers`, then answers `No more responses`.
    public init(answers: [Answer], latency: Duration = .zero) {
        script = Locked(answers)
        self.latency = latency
    }

    /// How many requests this backend has answered.
    public var calls: Int { callCount.load(ordering: .relaxed) }

    public func complete(_ request: LMRequest, timeout: Duration) async throws -> LMResponse {
        callCount.add(1, ordering: .relaxed)
        if latency > .zero { try await Task.sleep(for: latency.clampedForWaiting) }
        let format = RequestedFormat(request.messages)
        var choices: [LMChoice] = []
        for _ in 0..<max(1, request.n) {
            let text: String
            if let script {
                let next: Answer? = script.withLock { $0.isEmpty ? nil : $0.removeFirst() }
                switch next {
                case .fields(let values): text = format.render(values)
                case .raw(let s): text = s
                case .error(let e): throw e
                case nil: text = format.render(["answer": "No more responses"])
                }
            } else {
                text = format.render(format.fill())
            }
            choices.append(LMChoice(text: text, finishReason: "stop"))
        }
        // Usage is estimated at four bytes of UTF-8 per token (four characters in English text) so
        // usage tracking can be tried offline; a byte count costs nothing, a character count walks the prompt.
        let promptChars = request.messages.reduce(0) { $0 + $1.content.utf8.count }
        let completionChars = choices.reduce(0) { $0 + ($1.text?.utf8.count ?? 0) }
        let usage = TokenUsage(promptTokens: (promptChars + 3) / 4, completionTokens: (completionChars + 3) / 4)
        return LMResponse(choices: choices, usage: usage, model: "dummy", raw: ["model": "dummy", "object": "chat.completion"])
    }
}

/// What output a request asks for, read back from the adapter's own instructions.
struct RequestedFormat {
    var json = false
    var fields: [(name: String, type: FieldType)] = []
    var firstInput: String?

    init(_ messages: [Message]) {
        guard let last = messages.last(where: { $0.role == .user })?.content else { return }
        if let r = last.utf8Range(of: "Respond with a JSON object in the following order of fields: ") {
            json = true
            parseRequirement(String(last[r.upperBound...]), marker: "`", close: "`")
        } else if let r = last.utf8Range(of: "Respond with the corresponding output fields, starting with the field ") {
            parseRequirement(String(last[r.upperBound...]), marker: "`[[ ## ", close: " ## ]]`")
        }
        if let r = last.utf8Range(of: "[[ ## ") {
            let rest = last[r.upperBound...]
            if let end = rest.utf8Range(of: " ## ]]\n") {
                let value = rest[end.upperBound...]
                let stop = value.utf8Range(of: "\n\n")?.lowerBound ?? value.endIndex
                firstInput = String(value[..<stop])
            }
        }
    }

    private mutating func parseRequirement(_ text: String, marker: String, close: String) {
        var rest = Substring(text)
        while let open = rest.utf8Range(of: marker) {
            rest = rest[open.upperBound...]
            guard let end = rest.utf8Range(of: close) else { break }
            let name = String(rest[..<end.lowerBound])
            rest = rest[end.upperBound...]
            if name == "completed" { break }
            var type = FieldType.string
            let note = " (must be formatted as a valid Python "
            if rest.hasPrefix(note) {
                let typeText = rest.dropFirst(note.count)
                // The type name ends at the ")" that balances the note's "(".
                var depth = 0
                var endIndex = typeText.endIndex
                for i in typeText.indices {
                    let c = typeText[i]
                    if c == "[" || c == "(" {
                        depth += 1
                    } else if c == "]" {
                        depth -= 1
                    } else if c == ")" {
                        if depth == 0 { endIndex = i; break }
                        depth -= 1
                    }
                }
                var lexer = TypeLexer(String(typeText[..<endIndex]))
                if let t = try? lexer.typeExpression(whole: "", depth: 0) { type = t }
                rest = typeText[endIndex...]
            }
            fields.append((name, type))
        }
    }

    func fill() -> OrderedDictionary<String, Value> {
        var out = OrderedDictionary<String, Value>()
        let subject = firstInput.map { $0.count > 80 ? String($0.prefix(77)) + "..." : $0 }
        for (name, type) in fields {
            out[name] = Self.sample(type, field: name, subject: subject)
        }
        if out.isEmpty { out["answer"] = "dummy answer" }
        return out
    }

    static func sample(_ type: FieldType, field: String, subject: String?) -> Value {
        switch type {
        case .string, .any: return .string(subject.map { "dummy \(field) for: \($0)" } ?? "dummy \(field)")
        case .int: return 0
        case .float: return 0.0
        case .bool: return true
        case .none: return .null
        case .list, .set, .tuple: return .array([])
        case .dict: return .object([:])
        case .literal(let options):
            // Prefer `finish` so a ReAct loop on the dummy ends instead of spinning.
            return options.first { $0 == "finish" } ?? options.first ?? .null
        case .optional(let t): return sample(t, field: field, subject: subject)
        case .union(let ts, _): return sample(ts.first ?? .string, field: field, subject: subject)
        }
    }

    func render(_ values: OrderedDictionary<String, Value>) -> String {
        if json { return JSON.pythonDumps(.object(values), indent: 2) }
        return values.map { "[[ ## \($0.key) ## ]]\n\(ChatAdapter.formatFieldValue($0.value, type: nil))" }.joined(separator: "\n\n")
            + "\n\n[[ ## completed ## ]]"
    }
}
