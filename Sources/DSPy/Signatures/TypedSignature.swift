import OrderedCollections

// MARK: - Macros

/// Makes a struct a typed signature: its `@Input` and `@Output` properties become the fields of a
/// ``Signature`` (in declaration order), and the macro adds nested `Input` and `Output` structs,
/// a static `signature`, and conformance to ``TypedSignature``.
///
/// The instructions are the argument, else the struct's `///` doc comment, else DSPy's default
/// sentence, so that the prompt is the one the string form gives.
///
/// ```swift
/// @Signature("Answer questions with short factoid answers.")
/// struct QA {
///     @Input(desc: "a trivia question") var question: String
///     @Output(desc: "often between 1 and 5 words") var answer: String
/// }
/// let out = try await TypedPredict(QA.self)(.init(question: "Who wrote Dune?"))
/// ```
@attached(member, names: named(Input), named(Output), named(signature))
@attached(extension, conformances: TypedSignature)
public macro Signature(_ instructions: String? = nil) = #externalMacro(module: "DSPyMacros", type: "SignatureMacro")

/// Marks a property of a `@Signature` struct as an input field (DSPy's `InputField(desc=...)`).
@attached(peer)
public macro Input(desc: String? = nil) = #externalMacro(module: "DSPyMacros", type: "FieldMacro")

/// Marks a property of a `@Signature` struct as an output field (DSPy's `OutputField(desc=...)`).
@attached(peer)
public macro Output(desc: String? = nil) = #externalMacro(module: "DSPyMacros", type: "FieldMacro")

// MARK: - Protocols

/// A signature declared as a Swift type (usually with `@Signature`): typed inputs and outputs
/// over the same ``Signature`` value the string form builds.
public protocol TypedSignature: Sendable {
    /// The input fields as a struct (`QA.Input(question:)`).
    associatedtype Input: SignatureInput
    /// The output fields as a struct, decoded from a ``Prediction``.
    associatedtype Output: SignatureOutput
    /// The library's signature: fields, DSPy type names, descriptions and instructions.
    static var signature: Signature { get }
}

/// The inputs of a typed signature; converts to the dynamic ``Inputs`` a module takes.
public protocol SignatureInput: Sendable {
    /// The field values by name, in declaration order; `nil` optionals are left out (not given).
    var dspyInputs: Inputs { get }
}

/// The outputs of a typed signature, decoded from a prediction with DSPy's parsing rules.
public protocol SignatureOutput: Sendable {
    /// Decodes each output field into its declared Swift type.
    /// - Throws: ``SignatureDecodingError`` naming the first field that does not fit.
    init(_ prediction: Prediction) throws(SignatureDecodingError)
}

/// A Swift type that can be a typed signature field: it names its DSPy type and converts from a
/// ``Value``. `String`, `Int`, `Double`, `Float`, `Bool`, ``Value``, arrays, `[String: T]`
/// dictionaries and optionals of these conform; a `String`-backed `CaseIterable` enum that
/// declares conformance becomes a `Literal[...]`.
public protocol SignatureValue: ValueConvertible {
    /// The field's type in the signature (`Int` → `int`, `[String]` → `list[str]`).
    static var fieldType: FieldType { get }
    /// The Swift value for an already-validated value of ``fieldType``, or `nil` if it does not fit.
    init?(signatureValue: Value)
}

extension String: SignatureValue {
    public static var fieldType: FieldType { .string }
    public init?(signatureValue: Value) {
        guard case .string(let s) = signatureValue else { return nil }
        self = s
    }
}

extension Int: SignatureValue {
    public static var fieldType: FieldType { .int }
    public init?(signatureValue: Value) {
        guard case .int(let i) = signatureValue else { return nil }
        self = i
    }
}

extension Double: SignatureValue {
    public static var fieldType: FieldType { .float }
    public init?(signatureValue: Value) {
        guard let d = signatureValue.doubleValue else { return nil }
        self = d
    }
}

extension Float: SignatureValue {
    public static var fieldType: FieldType { .float }
    public init?(signatureValue: Value) {
        guard let d = signatureValue.doubleValue else { return nil }
        self = Float(d)
    }
}

extension Bool: SignatureValue {
    public static var fieldType: FieldType { .bool }
    public init?(signatureValue: Value) {
        guard case .bool(let b) = signatureValue else { return nil }
        self = b
    }
}

extension Value: SignatureValue {
    /// Any value (`Any` in DSPy): the escape hatch for fields without a fixed shape.
    public static var fieldType: FieldType { .any }
    public init?(signatureValue: Value) { self = signatureValue }
}

extension Array: SignatureValue where Element: SignatureValue {
    public static var fieldType: FieldType { .list(Element.fieldType) }
    public init?(signatureValue: Value) {
        guard case .array(let items) = signatureValue else { return nil }
        var out: [Element] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard let e = Element(signatureValue: item) else { return nil }
            out.append(e)
        }
        self = out
    }
}

extension Dictionary: SignatureValue where Key == String, Value: SignatureValue {
    public static var fieldType: FieldType { .dict(.string, Value.fieldType) }
    public init?(signatureValue: DSPy.Value) {
        guard case .object(let members) = signatureValue else { return nil }
        var out: [String: Value] = [:]
        for (k, v) in members {
            guard let e = Value(signatureValue: v) else { return nil }
            out[k] = e
        }
        self = out
    }
}

extension Optional: SignatureValue where Wrapped: SignatureValue {
    public static var fieldType: FieldType { .optional(Wrapped.fieldType) }
    public init?(signatureValue: Value) {
        if signatureValue.isNull {
            self = .none
            return
        }
        guard let w = Wrapped(signatureValue: signatureValue) else { return nil }
        self = .some(w)
    }
}

/// `enum Mood: String, CaseIterable, SignatureValue { case happy, sad }` is `Literal['happy', 'sad']`.
extension SignatureValue where Self: RawRepresentable & CaseIterable, RawValue == String {
    public static var fieldType: FieldType { .literal(allCases.map { .string($0.rawValue) }) }
    public init?(signatureValue: Value) {
        guard case .string(let s) = signatureValue, let v = Self(rawValue: s) else { return nil }
        self = v
    }
    public var dspyValue: Value { .string(rawValue) }
}

// MARK: - Decoding errors

/// An output value that cannot become its field's declared Swift type.
public struct SignatureDecodingError: Error, CustomStringConvertible, Sendable, Hashable {
    /// The output field's name.
    public let field: String
    /// The field's DSPy type name (`int`, `list[str]`).
    public let expectedType: String
    /// The field's Swift type (`Int`, `Array<String>`).
    public let swiftType: String
    /// The value as the LM wrote it (JSON for lists and dicts); `nil` when the prediction has no
    /// value for the field.
    public let rawText: String?

    public init(field: String, expectedType: String, swiftType: String, rawText: String?) {
        self.field = field
        self.expectedType = expectedType
        self.swiftType = swiftType
        self.rawText = rawText
    }

    public var description: String {
        guard let rawText else {
            return "Output field '\(field)' is missing; expected \(expectedType) (Swift \(swiftType))."
        }
        return "Output field '\(field)' cannot be decoded as \(expectedType) (Swift \(swiftType)) from \(PythonString.repr(rawText))."
    }
}

// MARK: - Support for generated code

/// Helpers the `@Signature` macro's generated code calls; not meant to be called directly.
public enum TypedSignatureSupport {
    /// The DSPy type of a field declared with Swift type `T`.
    public static func fieldType<T: SignatureValue>(of type: T.Type) -> FieldType { T.fieldType }

    /// An input or output field of the generated signature.
    public static func field<T: SignatureValue>(
        _ name: String, _ kind: Field.Kind, _ type: T.Type, description: String? = nil,
        default value: T? = nil
    ) -> Field {
        Field(name, kind: kind, type: T.fieldType, description: description, defaultValue: value.map(\.dspyValue))
    }

    /// The signature of the generated fields; field names are Swift property names, so they are
    /// distinct and the checks of ``Signature/init(inputs:outputs:instructions:)`` cannot fail.
    public static func signature(inputs: [Field], outputs: [Field], instructions: String?) -> Signature {
        Signature(distinctInputs: inputs, outputs: outputs, instructions: instructions)
    }

    /// Adds a field's value to the inputs; `nil` (`.null`) is left out, as an argument not given.
    public static func put<T: SignatureValue>(_ value: T, _ name: String, into inputs: inout Inputs) {
        let v = value.dspyValue
        if !v.isNull { inputs[name] = v }
    }

    /// Decodes the named output of `prediction` into `T`, parsing text with DSPy's rules
    /// (`"42"` → `42`) as the adapters do.
    public static func decode<T: SignatureValue>(_ type: T.Type, _ name: String, from prediction: Prediction)
        throws(SignatureDecodingError) -> T
    {
        let raw = prediction.values[name] ?? .null
        let fieldType = T.fieldType
        var candidate = raw
        if case .string(let text) = raw, fieldType != .string, fieldType != .any {
            if let parsed = try? fieldType.parse(text) { candidate = parsed }
        } else if let coerced = try? fieldType.coerce(raw) {
            candidate = coerced
        }
        if let value = T(signatureValue: candidate) { return value }
        let rawText: String? = prediction.values[name].map { ChatAdapter.formatFieldValue($0, type: nil) }
        throw SignatureDecodingError(field: name, expectedType: fieldType.pythonName, swiftType: String(describing: T.self), rawText: rawText)
    }
}

// MARK: - Typed modules

/// A ``Predict`` called with a typed signature's `Input` and returning its `Output`
/// (`TypedPredict(QA.self)`). A thin layer: the prompt, history, callbacks, usage and cache are
/// those of the wrapped ``module``, which a program's walk (`namedPredictors`, `setLM`, save,
/// optimizers) finds where the typed predictor is stored.
public final class TypedPredict<S: TypedSignature>: Sendable, CustomStringConvertible, WrapsModule {
    /// The dynamic predictor doing the work (same signature, demos, LM and config).
    public let module: Predict
    var wrappedModule: any Module { module }

    /// A predictor for `S.signature`; the parameters are those of ``Predict``.
    public init(
        _ signature: S.Type = S.self, lm: LM? = nil, demos: [Example] = [], n: Int? = nil, temperature: Double? = nil,
        config: OrderedDictionary<String, Value> = [:], callbacks: [any Callback] = []
    ) {
        module = Predict(S.signature, lm: lm, demos: demos, n: n, temperature: temperature, config: config, callbacks: callbacks)
    }

    /// Wraps an existing predictor, e.g. one loaded or optimized elsewhere.
    public init(wrapping predict: Predict) { module = predict }

    /// Calls the predictor and decodes its (first) completion.
    /// - Throws: the predictor's errors, or ``SignatureDecodingError`` when an output does not fit.
    public func callAsFunction(
        _ input: S.Input, lm: LM? = nil, config: OrderedDictionary<String, Value> = [:],
        demos: [Example]? = nil
    ) async throws -> S.Output {
        try S.Output(await prediction(input, lm: lm, config: config, demos: demos))
    }

    /// Calls the predictor and returns the dynamic prediction (all completions, usage), which
    /// `S.Output(prediction)` decodes.
    public func prediction(
        _ input: S.Input, lm: LM? = nil, config: OrderedDictionary<String, Value> = [:],
        demos: [Example]? = nil
    ) async throws -> Prediction {
        if lm == nil && config.isEmpty && demos == nil { return try await module.call(input.dspyInputs) }
        return try await module.call(input.dspyInputs, lm: lm, config: config, demos: demos)
    }

    public var description: String { "TypedPredict<\(S.self)>(\(module.signature))" }
}

/// An output with the step-by-step `reasoning` that ``TypedChainOfThought`` asks for first;
/// the signature's own outputs read through (`out.answer`) or via ``output``.
@dynamicMemberLookup
public struct Reasoned<Output: SignatureOutput>: Sendable {
    /// The LM's reasoning, written before the outputs.
    public var reasoning: String
    /// The signature's outputs.
    public var output: Output

    public init(reasoning: String, output: Output) {
        self.reasoning = reasoning
        self.output = output
    }

    /// Decodes `reasoning` and the signature's outputs from a ChainOfThought prediction.
    public init(_ prediction: Prediction) throws(SignatureDecodingError) {
        reasoning = try TypedSignatureSupport.decode(String.self, "reasoning", from: prediction)
        output = try Output(prediction)
    }

    public subscript<T>(dynamicMember keyPath: KeyPath<Output, T>) -> T { output[keyPath: keyPath] }
}

/// A ``ChainOfThought`` for a typed signature: returns the signature's `Output` with a
/// `reasoning: String` (``Reasoned``). The wrapped ``module`` does the work unchanged.
public final class TypedChainOfThought<S: TypedSignature>: Sendable, CustomStringConvertible, WrapsModule {
    /// The dynamic module doing the work.
    public let module: ChainOfThought
    var wrappedModule: any Module { module }

    /// A ChainOfThought for `S.signature`; the parameters are those of ``ChainOfThought``.
    /// - Throws: ``ArgumentRangeError`` for an `n` outside the allowed range.
    public init(
        _ signature: S.Type = S.self, lm: LM? = nil, demos: [Example] = [], n: Int? = nil, temperature: Double? = nil,
        config: OrderedDictionary<String, Value> = [:], callbacks: [any Callback] = []
    ) throws {
        module = try ChainOfThought(
            S.signature, lm: lm, demos: demos, n: n, temperature: temperature, config: config,
            callbacks: callbacks)
    }

    /// Wraps an existing ChainOfThought.
    public init(wrapping chainOfThought: ChainOfThought) { module = chainOfThought }

    /// Calls the module and decodes its (first) completion with its reasoning.
    /// - Throws: the module's errors, or ``SignatureDecodingError`` when an output does not fit.
    public func callAsFunction(_ input: S.Input, lm: LM? = nil, config: OrderedDictionary<String, Value> = [:]) async throws
        -> Reasoned<S.Output>
    {
        try Reasoned(await prediction(input, lm: lm, config: config))
    }

    /// Calls the module and returns the dynamic prediction.
    public func prediction(_ input: S.Input, lm: LM? = nil, config: OrderedDictionary<String, Value> = [:]) async throws -> Prediction {
        if lm == nil && config.isEmpty { return try await module.call(input.dspyInputs) }
        return try await module.call(input.dspyInputs, lm: lm, config: config)
    }

    public var description: String { "TypedChainOfThought<\(S.self)>(\(module.signature))" }
}
