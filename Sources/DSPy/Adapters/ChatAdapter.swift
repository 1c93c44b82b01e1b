import Foundation
import OrderedCollections

/// DSPy's default adapter: `[[ ## field ## ]]` sections, byte for byte the messages Python DSPy
/// sends. When a reply cannot be parsed it retries once with ``JSONAdapter`` (only on a parse
/// error; LM errors propagate at once).
public struct ChatAdapter: Adapter {
    public var name: String { "ChatAdapter" }
    /// Retry with the JSON adapter when a reply cannot be parsed (DSPy's default: on).
    public var useJSONAdapterFallback: Bool

    public init(useJSONAdapterFallback: Bool = true) {
        self.useJSONAdapterFallback = useJSONAdapterFallback
    }

    public func format(signature: Signature, demos: [Example], inputs: Inputs) -> [Message] {
        let texts = fixedTexts(signature)
        var messages = [Message.system(texts.system)]
        let (incomplete, complete) = AdapterText.classify(demos, signature)
        for d in incomplete {
            messages.append(.user(userMessage(signature, d.values, prefix: AdapterText.incompletePrefix, mainRequest: false)))
            messages.append(.assistant(assistantMessage(signature, d.values, missing: AdapterText.notSupplied)))
        }
        for d in complete {
            messages.append(.user(userMessage(signature, d.values, prefix: nil, mainRequest: false)))
            messages.append(.assistant(assistantMessage(signature, d.values, missing: "Not supplied for this conversation history message. ")))
        }
        let user = userMessage(signature, inputs, prefix: nil, outputRequirement: texts.outputRequirement)
        if !user.isEmpty { messages.append(.user(user)) }
        return messages
    }

    /// The texts that depend on the signature alone: the system message and the output requirement.
    private struct FixedTexts: Sendable {
        let system: String
        let outputRequirement: String
    }

    /// Programs call the same few signatures over and over, so their fixed texts are built once
    /// each (the memo is emptied if it ever grows large).
    private static let fixedTextMemo = Locked<[Signature: FixedTexts]>([:])

    private func fixedTexts(_ signature: Signature) -> FixedTexts {
        if let known = ChatAdapter.fixedTextMemo.withLock({ $0[signature] }) { return known }
        let texts = FixedTexts(system: buildSystemMessage(signature), outputRequirement: outputRequirement(signature))
        ChatAdapter.fixedTextMemo.withLock { memo in
            if memo.count >= 512 { memo.removeAll(keepingCapacity: true) }
            memo[signature] = texts
        }
        return texts
    }

    func systemMessage(_ signature: Signature) -> String { fixedTexts(signature).system }

    private func buildSystemMessage(_ signature: Signature) -> String {
        let structure = [
            "All interactions will be structured in the following way, with the appropriate values filled in.",
            AdapterText.structureBlock(signature.inputFields),
            AdapterText.structureBlock(signature.outputFields),
            "[[ ## completed ## ]]\n",
        ].joined(separator: "\n\n").trimmingWhitespace()
        return AdapterText.fieldDescriptions(signature) + "\n" + structure + "\n" + AdapterText.taskDescription(signature)
    }

    func userMessage(_ signature: Signature, _ values: Inputs, prefix: String?, mainRequest: Bool) -> String {
        userMessage(signature, values, prefix: prefix, outputRequirement: mainRequest ? outputRequirement(signature) : nil)
    }

    /// DSPy's `format_user_message_content`: the prefix, each given input field, and the output
    /// requirement, joined by blank lines and stripped only at the ends (so an empty field
    /// value keeps its line).
    func userMessage(_ signature: Signature, _ values: Inputs, prefix: String?, outputRequirement: String?) -> String {
        // Written into one string sized up front, as `"\n\n".join(parts).strip()` reads.
        var text = ""
        var capacity = (prefix?.utf8.count ?? 0) + (outputRequirement?.utf8.count ?? 0) + 8
        for f in signature.inputFields {
            if case .string(let s)? = values[f.name] { capacity += s.utf8.count }
            capacity += f.name.utf8.count + 64
        }
        text.reserveCapacity(capacity)
        var first = true
        func startPart() {
            if !first { text += "\n\n" }
            first = false
        }
        if let prefix {
            startPart()
            text += prefix
        }
        for f in signature.inputFields {
            guard let v = values[f.name] else { continue }
            startPart()
            text += "[[ ## "
            text += f.name
            text += " ## ]]\n"
            text += ChatAdapter.formatFieldValue(v, type: f.type)
        }
        if let outputRequirement {
            startPart()
            text += outputRequirement
        }
        return text.trimmingWhitespace()
    }

    func outputRequirement(_ signature: Signature) -> String {
        "Respond with the corresponding output fields, starting with the field "
            + signature.outputFields.map { "`[[ ## \($0.name) ## ]]`" + AdapterText.typeInfo($0) }.joined(separator: ", then ")
            + ", and then ending with the marker for `[[ ## completed ## ]]`."
    }

    func assistantMessage(_ signature: Signature, _ values: Inputs, missing: String) -> String {
        signature.outputFields.map { f in
            "[[ ## \(f.name) ## ]]\n" + (values[f.name].map { ChatAdapter.formatFieldValue($0, type: f.type) } ?? missing)
        }.joined(separator: "\n\n").trimmingWhitespace() + "\n\n[[ ## completed ## ]]\n"
    }

    /// DSPy's `format_field_value`: a list given for a `str` field becomes numbered `«...»`
    /// blobs; lists and dicts become JSON; everything else is Python's `str()`.
    public static func formatFieldValue(_ value: Value, type: FieldType?) -> String {
        switch value {
        case .array(let items) where type == .string:
            func blob(_ v: Value) -> String {
                let s = v.pythonStr
                if !s.contains("\n") && !s.contains("«") && !s.contains("»") { return "«\(s)»" }
                return "«««\n    " + s.replacingOccurrences(of: "\n", with: "\n    ") + "\n»»»"
            }
            if items.isEmpty { return "N/A" }
            if items.count == 1 { return blob(items[0]) }
            return items.enumerated().map { "[\($0.offset + 1)] " + blob($0.element) }.joined(separator: "\n")
        case .array, .object:
            return JSON.pythonDumps(value)
        default:
            return value.pythonStr
        }
    }

    public func parse(signature: Signature, completion: String) throws -> Inputs {
        // DSPy splits the reply into sections at header lines and gives each field the first
        // section of its name: the rest of the header line and the lines up to the next header,
        // joined by newlines (each without a trailing \r) and stripped. A section's lines are
        // the reply's own text between two headers, so they are sliced from it, not joined.
        var found: [String: Value] = [:]
        var header: String?
        var rest = ""
        var body: Range<String.Index>?
        func endSection() throws {
            guard let header, found[header] == nil, let field = signature.outputFields.first(where: { $0.name == header }) else { return }
            var lines = body.map { ChatAdapter.withoutLineEndCRs(completion[$0]) } ?? ""
            if !rest.isEmpty { lines = body == nil ? rest : rest + "\n" + lines }
            let text = lines.trimmingWhitespace()
            do {
                found[header] = try field.type.parse(text)
            } catch {
                throw AdapterParseError(
                    adapterName: name, signature: signature, lmResponse: completion, parsedResult: nil,
                    message: "Failed to parse field \(header) with value \(text) from the LM response. Error message: \(error)")
            }
        }
        for line in completion.linesByNewlineByte() {
            if let (name, restOfLine) = ChatAdapter.matchHeader(line) {
                try endSection()
                (header, rest, body) = (name, restOfLine, nil)
            } else {
                body = (body?.lowerBound ?? line.startIndex)..<line.endIndex
            }
        }
        try endSection()
        return try completeOutputs(found, signature: signature, completion: completion, adapterName: name)
    }

    /// `text` without the \r that ends any of its lines.
    private static func withoutLineEndCRs(_ text: Substring) -> String {
        guard text.containsByte(UInt8(ascii: "\r")) else { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var pendingCR = false
        for byte in text.utf8 {
            if pendingCR && byte != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\r")) }
            pendingCR = byte == UInt8(ascii: "\r")
            if !pendingCR { bytes.append(byte) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `[[ ## name ## ]]` at the start of a line (after any whitespace): the name and the rest of
    /// the line, trimmed. Most lines of a reply start with another character and are turned
    /// away by their first byte.
    static func matchHeader(_ line: Substring) -> (String, String)? {
        guard let first = line.utf8.first else { return nil }
        if first != UInt8(ascii: "[") {
            let asciiSpace = first == 0x20 || (0x09...0x0D).contains(first)
            guard first >= 0x80 || asciiSpace else { return nil }
            return matchHeader(line.trimmingWhitespace())  // leading (perhaps Unicode) whitespace: the general path
        }
        return matchHeader(stripped: line)
    }

    /// ``matchHeader(_:)`` for a line without leading whitespace.
    static func matchHeader(_ line: String) -> (String, String)? { matchHeader(stripped: Substring(line)) }

    private static func matchHeader(stripped line: Substring) -> (String, String)? {
        guard line.utf8.starts(with: "[[ ## ".utf8) else { return nil }
        let afterOpen = line.dropFirst(6)
        // Letters, digits and "_": by their byte while the name is ASCII, else (from its start, so
        // that combining marks stay with their letter) by the characters' properties.
        var nameEnd = afterOpen.utf8.firstIndex { !isASCIIWordByte($0) } ?? afterOpen.endIndex
        if nameEnd < afterOpen.endIndex, afterOpen.utf8[nameEnd] >= 0x80 {
            nameEnd = afterOpen.firstIndex { !($0.isLetter || $0.isNumber || $0 == "_") } ?? afterOpen.endIndex
        }
        let name = afterOpen[..<nameEnd]
        let close = afterOpen[nameEnd...]
        guard !name.isEmpty, close.utf8.starts(with: " ## ]]".utf8) else { return nil }
        return (String(name), close.dropFirst(6).trimmingWhitespace())
    }

    private static func isASCIIWordByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
    }

    @inline(__always)  // into the protocol witness, which is then the only frame of the adapter's call
    public func call(lm: LM, parameters: OrderedDictionary<String, Value>, signature: Signature, demos: [Example], inputs: Inputs) async throws
        -> [Inputs]
    {
        do {
            return try await defaultCall(lm: lm, parameters: parameters, signature: signature, demos: demos, inputs: inputs)
        } catch is AdapterParseError where useJSONAdapterFallback {
            return try await callJSONAdapter(lm: lm, parameters: parameters, signature: signature, demos: demos, inputs: inputs)
        }
    }

    /// DSPy's fallback after a reply the chat format could not parse: the same call through the
    /// JSON adapter, whose parse error names both adapters.
    @inline(never)
    private func callJSONAdapter(
        lm: LM, parameters: OrderedDictionary<String, Value>, signature: Signature, demos: [Example], inputs: Inputs
    ) async throws -> [Inputs] {
        do {
            return try await JSONAdapter().call(lm: lm, parameters: parameters, signature: signature, demos: demos, inputs: inputs)
        } catch var fallbackError as AdapterParseError {
            fallbackError.triedBefore = [name] + fallbackError.triedBefore
            throw fallbackError
        }
    }
}

/// Puts parsed outputs in signature order, fills defaults for missing ones, and fails when a
/// required output is still missing.
func completeOutputs(_ found: [String: Value], signature: Signature, completion: String, adapterName: String) throws -> Inputs {
    var out = Inputs()
    var missing = false
    for f in signature.outputFields {
        if let v = found[f.name] {
            out[f.name] = v
        } else if let d = f.defaultValue {
            out[f.name] = d
        } else if f.type.allowsNone {
            out[f.name] = .null
        } else {
            missing = true
        }
    }
    if missing {
        var parsed = Inputs()
        for f in signature.outputFields { if let v = found[f.name] { parsed[f.name] = v } }
        throw AdapterParseError(adapterName: adapterName, signature: signature, lmResponse: completion, parsedResult: parsed, message: nil)
    }
    return out
}
