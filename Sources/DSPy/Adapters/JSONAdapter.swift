import OrderedCollections

/// Asks for the outputs as one JSON object (DSPy's `JSONAdapter`). Used directly, or as the
/// ChatAdapter's fallback when a reply cannot be parsed.
public struct JSONAdapter: Adapter {
    public var name: String { "JSONAdapter" }

    public init() {}

    public func format(signature: Signature, demos: [Example], inputs: Inputs) -> [Message] {
        let chat = ChatAdapter()
        var messages = [Message.system(systemMessage(signature))]
        let (incomplete, complete) = AdapterText.classify(demos, signature)
        for d in incomplete {
            messages.append(.user(chat.userMessage(signature, d.values, prefix: AdapterText.incompletePrefix, mainRequest: false)))
            messages.append(.assistant(assistantMessage(signature, d.values, missing: AdapterText.notSupplied)))
        }
        for d in complete {
            messages.append(.user(chat.userMessage(signature, d.values, prefix: nil, mainRequest: false)))
            messages.append(.assistant(assistantMessage(signature, d.values, missing: AdapterText.notSupplied)))
        }
        let requirement =
            "Respond with a JSON object in the following order of fields: "
            + signature.outputFields.map { "`\($0.name)`" + AdapterText.typeInfo($0) }.joined(separator: ", then ") + "."
        messages.append(.user(chat.userMessage(signature, inputs, prefix: nil, outputRequirement: requirement)))
        return messages
    }

    func systemMessage(_ signature: Signature) -> String {
        var outputs = OrderedDictionary<String, Value>()
        for f in signature.outputFields { outputs[f.name] = .string(AdapterText.placeholder(f)) }
        let structure = [
            "All interactions will be structured in the following way, with the appropriate values filled in.",
            "Inputs will have the following structure:",
            AdapterText.structureBlock(signature.inputFields),
            "Outputs will be a JSON object with the following fields.",
            JSON.pythonDumps(.object(outputs), indent: 2),
        ].joined(separator: "\n\n").trimmingWhitespace()
        return AdapterText.fieldDescriptions(signature) + "\n" + structure + "\n" + AdapterText.taskDescription(signature)
    }

    func assistantMessage(_ signature: Signature, _ values: Inputs, missing: String) -> String {
        var o = OrderedDictionary<String, Value>()
        for f in signature.outputFields { o[f.name] = values[f.name] ?? .string(missing) }
        return JSON.pythonDumps(.object(o), indent: 2)
    }

    /// JSON mode for OpenAI-compatible servers that support it. A local llama.cpp server
    /// (`local/`) gets the output fields' JSON schema and enforces it with a grammar, so even a
    /// small model that ignores the field markers answers with fields that parse.
    public func requestParameters(for signature: Signature, lm: LM) -> OrderedDictionary<String, Value> {
        switch lm.provider {
        case .openai where lm.apiBase == LM.defaultAPIBase(for: .openai): return ["response_format": ["type": "json_object"]]
        case .local: return ["response_format": ["type": "json_object", "schema": Self.outputSchema(signature)]]
        default: return [:]
        }
    }

    /// The JSON schema of a reply holding the signature's output fields, each required.
    public static func outputSchema(_ signature: Signature) -> Value {
        var properties = OrderedDictionary<String, Value>()
        for f in signature.outputFields { properties[f.name] = f.type.jsonSchema }
        return [
            "type": "object", "properties": .object(properties),
            "required": .array(signature.outputFields.map { .string($0.name) }),
        ]
    }

    public func parse(signature: Signature, completion: String) throws -> Inputs {
        let text = completion.trimmingWhitespace()
        var object: OrderedDictionary<String, Value>?
        if case .object(let o)? = try? JSON.parseLenient(text) { object = o }
        if object == nil, let span = JSON.firstObjectSpan(in: text), case .object(let o)? = try? JSON.parseLenient(String(span)) {
            object = o
        }
        guard let object else {
            throw AdapterParseError(
                adapterName: name, signature: signature, lmResponse: completion, parsedResult: nil,
                message: "LM response cannot be serialized to a JSON object.")
        }
        var found: [String: Value] = [:]
        for f in signature.outputFields {
            guard let raw = object[f.name] else { continue }
            do {
                switch (f.type, raw) {
                case (.string, .string): found[f.name] = raw
                case (.string, _): found[f.name] = .string(JSON.pythonDumps(raw))
                case (_, .string(let s)) where f.type != .string: found[f.name] = try f.type.parse(s)
                default: found[f.name] = try f.type.coerce(raw)
                }
            } catch {
                throw AdapterParseError(
                    adapterName: name, signature: signature, lmResponse: completion, parsedResult: nil,
                    message: "Failed to parse field \(f.name) with value \(raw.pythonStr) from the LM response. Error message: \(error)")
            }
        }
        return try completeOutputs(found, signature: signature, completion: completion, adapterName: name)
    }
}
