import OrderedCollections

/// Ordered field values: a module's inputs or a prediction's outputs.
public typealias Inputs = OrderedDictionary<String, Value>

/// A training or evaluation record: named values, some marked as inputs (DSPy's `Example`).
@dynamicMemberLookup
public struct Example: Sendable, Hashable, CustomStringConvertible {
    public var values: OrderedDictionary<String, Value>
    /// The keys marked with `withInputs(_:)`; `nil` until then.
    public private(set) var inputKeys: [String]?

    public init(_ values: OrderedDictionary<String, Value> = [:], inputKeys: [String]? = nil) {
        self.values = values
        self.inputKeys = inputKeys
    }

    /// `Example(["question": "2+2?", "answer": "4"])`, keeping the order written.
    public init(_ pairs: KeyValuePairs<String, any ValueConvertible>) {
        var o = OrderedDictionary<String, Value>()
        for (k, v) in pairs { o[k] = v.dspyValue }
        self.init(o)
    }

    public subscript(dynamicMember key: String) -> Value { values[key] ?? .null }
    public subscript(key: String) -> Value? {
        get { values[key] }
        set { values[key] = newValue }
    }

    public var keys: [String] { Array(values.keys) }

    /// A copy with `keys` marked as the inputs.
    public func withInputs(_ keys: String...) -> Example { withInputs(keys) }
    public func withInputs(_ keys: [String]) -> Example {
        var e = self
        e.inputKeys = keys
        return e
    }

    /// Only the input values; fails with DSPy's message when no inputs were marked.
    public func inputs() throws -> Example {
        guard let inputKeys else { throw ExampleError.inputsNotSet }
        return Example(values.filter { inputKeys.contains($0.key) }, inputKeys: inputKeys)
    }

    /// Everything but the inputs.
    public func labels() throws -> Example {
        guard let inputKeys else { throw ExampleError.inputsNotSet }
        return Example(values.filter { !inputKeys.contains($0.key) })
    }

    public var description: String {
        let d = "{" + values.map { PythonString.repr($0.key) + ": " + $0.value.pythonRepr }.joined(separator: ", ") + "}"
        let keys = inputKeys.map { $0.isEmpty ? "set()" : "{" + $0.map(PythonString.repr).joined(separator: ", ") + "}" } ?? "None"
        return "Example(\(d)) (input_keys=\(keys))"
    }
}

/// Errors about examples, worded as DSPy words them.
public enum ExampleError: Error, CustomStringConvertible, Sendable {
    case inputsNotSet
    public var description: String {
        "Inputs have not been set for this example. Use `example.with_inputs()` to set them."
    }
}

/// A module's result: output fields by name (`pred.answer`), all completions when `n > 1`,
/// and token usage per model when usage tracking is on.
@dynamicMemberLookup
public struct Prediction: Sendable, Hashable, CustomStringConvertible {
    public var values: OrderedDictionary<String, Value>
    public var completions: Completions
    /// Token usage per LM model for the call that produced this prediction (`track_usage`).
    public var lmUsage: [String: TokenUsage]?

    public init(_ values: OrderedDictionary<String, Value> = [:]) {
        self.values = values
        self.completions = Completions([values])
    }

    /// `Prediction(["answer": "4"])`.
    public init(_ pairs: KeyValuePairs<String, any ValueConvertible>) {
        var o = OrderedDictionary<String, Value>()
        for (k, v) in pairs { o[k] = v.dspyValue }
        self.init(o)
    }

    /// A prediction whose fields are the first completion's (DSPy's `from_completions`).
    public init(completions: [OrderedDictionary<String, Value>]) {
        self.values = completions.first ?? [:]
        self.completions = Completions(completions)
    }

    public subscript(dynamicMember key: String) -> Value { values[key] ?? .null }
    public subscript(key: String) -> Value? {
        get { values[key] }
        set { values[key] = newValue }
    }

    public var keys: [String] { Array(values.keys) }

    /// This prediction as an ``Example`` (for demos).
    public var example: Example { Example(values) }

    public var description: String {
        let store = values.map { "\($0.key)=\($0.value.pythonRepr)" }.joined(separator: ",\n    ")
        if completions.count <= 1 { return "Prediction(\n    \(store)\n)" }
        return "Prediction(\n    \(store),\n    completions=Completions(...)\n) (\(completions.count - 1) completions omitted)"
    }
}

/// All completions of a call (`pred.completions.answer` lists every `answer`).
@dynamicMemberLookup
public struct Completions: Sendable, Hashable, RandomAccessCollection {
    public let items: [OrderedDictionary<String, Value>]
    public init(_ items: [OrderedDictionary<String, Value>]) { self.items = items }

    public var startIndex: Int { 0 }
    public var endIndex: Int { items.count }
    public subscript(position: Int) -> Prediction { Prediction(items[position]) }
    public subscript(dynamicMember key: String) -> [Value] { items.map { $0[key] ?? .null } }
}
