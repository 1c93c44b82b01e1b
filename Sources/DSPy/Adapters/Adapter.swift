import OrderedCollections

/// Turns a signature plus inputs into chat messages, and an LM reply back into output values.
public protocol Adapter: Sendable {
    /// The adapter's name in error messages (`ChatAdapter`).
    var name: String { get }
    /// The messages to send: system, demos, then the request.
    func format(signature: Signature, demos: [Example], inputs: Inputs) -> [Message]
    /// The output values found in one completion.
    func parse(signature: Signature, completion: String) throws -> Inputs
    /// Extra request parameters this adapter wants for `lm` (e.g. JSON mode).
    func requestParameters(for signature: Signature, lm: LM) -> OrderedDictionary<String, Value>
    /// The whole round trip; the default formats, calls the LM and parses every completion.
    func call(lm: LM, parameters: OrderedDictionary<String, Value>, signature: Signature, demos: [Example], inputs: Inputs) async throws -> [Inputs]
}

/// A reply that does not contain the signature's output fields in the expected format.
/// It keeps the raw reply so the caller can see what the LM actually said.
public struct AdapterParseError: Error, CustomStringConvertible, Sendable {
    public let adapterName: String
    public let signature: Signature
    /// The LM's reply, verbatim.
    public let lmResponse: String
    /// The fields that could be read, if any.
    public let parsedResult: Inputs?
    public let message: String?
    /// Adapters that failed on the same reply before this one (the ChatAdapter, when its JSON
    /// fallback failed too).
    public var triedBefore: [String] = []

    /// The output fields the reply did not give.
    public var missingFields: [String] {
        signature.outputFields.map(\.name).filter { parsedResult?[$0] == nil }
    }

    public var description: String {
        var s = message.map { $0 + "\n\n" } ?? ""
        s += "Adapter \(adapterName) failed to parse the LM response. \n\nLM Response: \(lmResponse) \n\n"
        s += "Expected to find output fields in the LM response: [\(signature.outputFields.map(\.name).joined(separator: ", "))] \n\n"
        if let parsedResult {
            s += "Actual output fields parsed from the LM response: [\(parsedResult.keys.joined(separator: ", "))] \n\n"
        }
        return s
    }
}

extension Adapter {
    public func requestParameters(for signature: Signature, lm: LM) -> OrderedDictionary<String, Value> { [:] }

    public func call(lm: LM, parameters: OrderedDictionary<String, Value>, signature: Signature, demos: [Example], inputs: Inputs) async throws
        -> [Inputs]
    {
        try await defaultCall(lm: lm, parameters: parameters, signature: signature, demos: demos, inputs: inputs)
    }

    /// Format (with callbacks), call the LM, parse each completion (with callbacks). The
    /// formatting and the parsing run in plain functions and this one is inlined into its
    /// callers, so the call holds no frame of its own while it waits for the LM.
    @inline(__always)
    func defaultCall(lm: LM, parameters: OrderedDictionary<String, Value>, signature: Signature, demos: [Example], inputs: Inputs) async throws
        -> [Inputs]
    {
        let (messages, params) = try formatCall(lm: lm, parameters: parameters, signature: signature, demos: demos, inputs: inputs)
        let response = try await lm.call(messages: messages, parameters: params)
        return try parseCompletions(response, signature: signature)
    }

    /// The messages (formatted with callbacks) and the LM parameters of a call.
    @inline(never)
    func formatCall(
        lm: LM, parameters: OrderedDictionary<String, Value>, signature: Signature, demos: [Example], inputs: Inputs
    ) throws -> ([Message], OrderedDictionary<String, Value>) {
        let messages = try CallbackRunner.runSync(
            handlers: Settings.current.callbacks,
            start: { $0.onAdapterFormatStart($1, adapter: self, signature: signature, demos: demos, inputs: inputs) },
            end: { $0.onAdapterFormatEnd($1, messages: $2, error: $3) }
        ) {
            format(signature: signature, demos: demos, inputs: inputs)
        }
        var params = parameters
        for (k, v) in requestParameters(for: signature, lm: lm) where params[k] == nil { params[k] = v }
        return (messages, params)
    }

    /// Each completion of `response` parsed (with callbacks); an empty one is a parse error.
    @inline(never)
    func parseCompletions(_ response: LMResponse, signature: Signature) throws -> [Inputs] {
        let handlers = Settings.current.callbacks
        return try response.choices.map { choice in
            guard let text = choice.text, text.hasNonWhitespace else {
                throw AdapterParseError(
                    adapterName: name, signature: signature, lmResponse: choice.text ?? "None",
                    parsedResult: nil, message: "The LM returned an empty or null response.")
            }
            return try CallbackRunner.runSync(
                handlers: handlers,
                start: { $0.onAdapterParseStart($1, adapter: self, signature: signature, completion: text) },
                end: { $0.onAdapterParseEnd($1, outputs: $2, error: $3) }
            ) {
                try parse(signature: signature, completion: text)
            }
        }
    }
}

/// Shared helpers for adapters that render fields the ChatAdapter way.
enum AdapterText {
    /// `Your input fields are:` ... `Your output fields are:` ...
    static func fieldDescriptions(_ signature: Signature) -> String {
        func list(_ fields: [Field]) -> String {
            fields.enumerated().map { i, f in "\(i + 1). `\(f.name)` (\(f.type.pythonName)): \(f.description ?? "")" }
                .joined(separator: "\n").trimmingWhitespace()
        }
        return "Your input fields are:\n" + list(signature.inputFields) + "\nYour output fields are:\n" + list(signature.outputFields)
    }

    /// `[[ ## name ## ]]\n{name}` blocks, with type notes on non-string outputs.
    static func structureBlock(_ fields: [Field]) -> String {
        fields.map { "[[ ## \($0.name) ## ]]\n" + placeholder($0) }.joined(separator: "\n\n")
    }

    static func placeholder(_ f: Field) -> String {
        var p = "{\(f.name)}"
        if f.kind == .output, let note = f.type.outputNote { p += "        # note: the value you produce " + note }
        return p
    }

    /// `In adhering to this structure, your objective is: ` and the instructions, indented.
    static func taskDescription(_ signature: Signature) -> String {
        "In adhering to this structure, your objective is: "
            + signature.instructions.split(separator: "\n", omittingEmptySubsequences: false).map { "\n        " + $0 }.joined()
    }

    /// ` (must be formatted as a valid Python list[str])`, or nothing for `str`.
    static func typeInfo(_ f: Field) -> String {
        f.type == .string ? "" : " (must be formatted as a valid Python \(f.type.pythonName))"
    }

    /// Splits demos into incomplete ones (some inputs and some outputs) and complete ones,
    /// dropping the rest, as DSPy does.
    static func classify(_ demos: [Example], _ signature: Signature) -> (incomplete: [Example], complete: [Example]) {
        var incomplete: [Example] = [], complete: [Example] = []
        for d in demos {
            let present = { (f: Field) in (d[f.name]).map { !$0.isNull } ?? false }
            if signature.fields.allSatisfy(present) {
                complete.append(d)
            } else if signature.inputFields.contains(where: present) && signature.outputFields.contains(where: present) {
                incomplete.append(d)
            }
        }
        return (incomplete, complete)
    }

    static let incompletePrefix = "This is an example of the task, though some input or output fields are not supplied."
    static let notSupplied = "Not supplied for this particular example. "
}

extension SettingKey where Value == (any Adapter)? {
    /// The adapter (`adapter`); `nil` means a ``ChatAdapter`` that falls back to the ``JSONAdapter``.
    public static var adapter: SettingKey {
        SettingKey(
            "adapter", summary: "how signatures become messages and replies become fields (None: ChatAdapter, falling back to JSONAdapter)",
            default: { nil }, check: .instance(of: (any Adapter).self, "an adapter, such as ChatAdapter() or JSONAdapter()"))
    }
}

extension Settings {
    /// The adapter (`adapter`); `nil` means a fresh ``ChatAdapter`` per call.
    public var adapter: (any Adapter)? { self[.adapter] }
}
