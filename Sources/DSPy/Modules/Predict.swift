import Logging
import OrderedCollections
import Synchronization

/// The basic module: one LM call for a signature (DSPy's `dspy.Predict`).
///
/// The LM comes from the call (`lm:`), then the module's own ``lm``, then `settings.lm`.
public final class Predict: Module, CustomStringConvertible {
    private let state: Locked<State>
    private let record: ModuleRecord
    static let logger = Logger(label: "dspy.predict")

    private struct State {
        var signature: Signature
        var lm: LM?
        var demos: [Example]
        var config: OrderedDictionary<String, Value>
    }

    /// Options for one call, tagged with the predictor they are for so nested calls ignore them.
    struct CallOptions: Sendable {
        /// The predictors the options apply to (a module's own, not those of modules it calls).
        let targets: Set<ObjectIdentifier>
        let lm: LM?
        let config: OrderedDictionary<String, Value>
        let demos: [Example]?
    }
    @TaskLocal static var callOptions: CallOptions?

    /// - Parameters:
    ///   - n: completions per call; with `n > 1` and a low temperature, temperature is raised to 0.7.
    ///   - config: default LM parameters for this predictor (`temperature`, `max_tokens`, ...).
    public init(
        _ signature: Signature, lm: LM? = nil, demos: [Example] = [], n: Int? = nil, temperature: Double? = nil,
        config: OrderedDictionary<String, Value> = [:], callbacks: [any Callback] = []
    ) {
        var c = config
        if let n { c["n"] = .int(n) }
        if let temperature { c["temperature"] = .double(temperature) }
        state = Locked(State(signature: signature, lm: lm, demos: demos, config: c))
        record = ModuleRecord(callbacks: callbacks)
    }

    /// `try Predict("question -> answer")`. Throws ``ArgumentRangeError`` for an `n` outside
    /// 1...``LMRequest/maxCompletions`` (the other initializer reports it at the first call).
    public convenience init(
        _ signature: String, instructions: String? = nil, lm: LM? = nil, demos: [Example] = [], n: Int? = nil,
        temperature: Double? = nil, config: OrderedDictionary<String, Value> = [:], callbacks: [any Callback] = []
    ) throws {
        if let n { _ = try LMRequest.checkedCompletions(.int(n)) }
        self.init(
            try Signature(signature, instructions: instructions), lm: lm, demos: demos, n: n, temperature: temperature,
            config: config, callbacks: callbacks)
    }

    /// What the predictor asks for. Optimizers (COPRO) and loading saved state replace it with
    /// one that has the same fields and other instructions, prefixes or descriptions.
    public var signature: Signature {
        get { state.withLock { $0.signature } }
        set { state.withLock { $0.signature = newValue } }
    }

    /// This predictor's own LM (overrides `settings.lm`).
    public var lm: LM? {
        get { state.withLock { $0.lm } }
        set { state.withLock { $0.lm = newValue } }
    }

    /// Few-shot examples rendered before the request.
    public var demos: [Example] {
        get { state.withLock { $0.demos } }
        set { state.withLock { $0.demos = newValue } }
    }

    /// Default LM parameters for every call.
    public var config: OrderedDictionary<String, Value> {
        get { state.withLock { $0.config } }
        set { state.withLock { $0.config = newValue } }
    }

    public var description: String { "Predict(\(signature))" }

    /// History, callbacks and the compiled flag of this predictor.
    public var moduleRecord: ModuleRecord? { record }

    /// A predictor has no sub-modules.
    public var subModules: [(name: String, module: any Module)] { [] }

    public func deepCopy() async throws -> any Module { copy() }

    /// A new predictor with this one's signature, LM, demos, config and callbacks.
    public func copy() -> Predict {
        let s = state.withLock { $0 }
        return Predict(s.signature, lm: s.lm, demos: s.demos, config: s.config, callbacks: callbacks)
    }

    /// Predictors take keyword arguments only, as DSPy's do.
    public func rejectPositional() throws {
        throw ModuleError.positionalArguments(inputNames: signature.inputFields.map(\.name))
    }

    /// Calls with per-call options: another LM, extra LM parameters, or other demos.
    public func call(_ inputs: Inputs, lm: LM? = nil, config: OrderedDictionary<String, Value> = [:], demos: [Example]? = nil) async throws
        -> Prediction
    {
        // Options that change nothing need no scope (and no closure frame) when no outer call set any.
        if lm == nil, config.isEmpty, demos == nil, Predict.callOptions == nil { return try await runModuleCall(self, inputs) }
        let options = CallOptions(targets: [ObjectIdentifier(self)], lm: lm, config: config, demos: demos)
        return try await Predict.$callOptions.withValue(options) { try await runModuleCall(self, inputs) }
    }

    /// The LM this call will use, or DSPy's error when there is none.
    func resolveLM(_ explicit: LM?) throws -> LM {
        if let explicit { return explicit }
        if let own = lm { return own }
        let configured = Settings.current.value("lm")
        switch configured {
        case let lm as LM: return lm
        case let s as String: throw ModuleError.lmIsString(s)
        case nil, is NoneSetting: throw ModuleError.noLM
        case let other?: throw ModuleError.lmWrongType(String(describing: type(of: other)))
        }
    }

    /// One LM call through the adapter; call the predictor instead, so history and callbacks see it.
    public func forward(_ inputs: Inputs) async throws -> Prediction {
        // The preparation and the bookkeeping run in plain functions: every waiting call holds its
        // async frames, which stay small when they keep only what crosses the await.
        let plan = try plan(inputs)
        let completions = try await asStreamCaller {
            try await plan.adapter.call(lm: plan.lm, parameters: plan.config, signature: plan.signature, demos: plan.demos, inputs: plan.inputs)
        }
        return finish(plan, completions)
    }

    /// What one call sends: the LM, adapter, parameters, signature, demos and filled inputs.
    private struct CallPlan {
        let settings: Settings
        let lm: LM
        let adapter: any Adapter
        let config: OrderedDictionary<String, Value>
        let signature: Signature
        let demos: [Example]
        let inputs: Inputs
    }

    @inline(never)
    private func plan(_ inputs: Inputs) throws -> CallPlan {
        let settings = Settings.current
        let options = Predict.callOptions.flatMap { $0.targets.contains(ObjectIdentifier(self)) ? $0 : nil }
        let lm = try resolveLM(options?.lm)
        let (signature, ownDemos, ownConfig) = state.withLock { ($0.signature, $0.demos, $0.config) }
        var config = ownConfig
        for (k, v) in options?.config ?? [:] { config[k] = v }
        let n = config["n"]?.intValue ?? lm.kwargs["n"]?.intValue ?? 1
        if n > 1 {
            let temperature = config["temperature"]?.doubleValue ?? lm.kwargs["temperature"]?.doubleValue
            if temperature.map({ $0 <= 0.15 }) ?? true { config["temperature"] = 0.7 }
        }
        let filled = prepareInputs(inputs, for: signature, warn: settings.warnOnTypeMismatch)
        return CallPlan(
            settings: settings, lm: lm, adapter: settings.adapter ?? ChatAdapter(), config: config, signature: signature,
            demos: options?.demos ?? ownDemos, inputs: filled)
    }

    @inline(never)
    private func finish(_ plan: CallPlan, _ completions: [Inputs]) -> Prediction {
        let prediction = Prediction(completions: completions)
        if let trace = plan.settings.trace, plan.settings.maxTraceSize > 0 {
            trace.append(TraceEntry(predictor: self, inputs: plan.inputs, prediction: prediction), limit: plan.settings.maxTraceSize)
        }
        return prediction
    }

    /// Fills declared input defaults and logs DSPy's warnings about extra, mistyped or missing
    /// inputs (none of them is fatal, as in DSPy).
    func prepareInputs(_ inputs: Inputs, for signature: Signature, warn: Bool) -> Inputs {
        var out = inputs
        for f in signature.inputFields where out[f.name] == nil {
            if let d = f.defaultValue { out[f.name] = d }
        }
        let expected = signature.inputFields.map(\.name)
        let extra = out.keys.filter { !expected.contains($0) }
        if !extra.isEmpty {
            Predict.logger.warning(
                "\(LogText.oneLine("Input contains fields not in signature. These fields will be ignored: \(pyList(extra)). Expected fields: \(pyList(expected))."))"
            )
        }
        if warn {
            for f in signature.inputFields where !f.isTypeUndefined {
                guard let v = out[f.name], !v.isNull, !f.type.accepts(v) else { continue }
                if f.type == .string, case .array = v { continue }  // lists render as «...» blobs
                Predict.logger.warning(
                    "\(LogText.oneLine("Type mismatch for field '\(f.name)': expected \(f.type.pythonName) based on given Signature, but the provided value is incompatible: \(v.pythonRepr)."))"
                )
            }
        }
        let missing = signature.inputFields.filter { out[$0.name] == nil && !$0.type.allowsNone }.map(\.name)
        if !missing.isEmpty {
            Predict.logger.warning(
                "\(LogText.oneLine("Not all input fields were provided to module. Present: \(pyList(Array(out.keys))). Missing: \(pyList(missing))."))"
            )
        }
        return out
    }
}

/// Names as Python prints a list of them (`['question']`), as DSPy's warnings show them.
private func pyList<S: Sequence<String>>(_ names: S) -> String {
    Value.array(names.map(Value.string)).pythonRepr
}

/// Predict with a `reasoning` output before the others, so the LM thinks step by step
/// (DSPy's `dspy.ChainOfThought`).
public final class ChainOfThought: Module, CustomStringConvertible {
    /// The predictor whose signature has the reasoning field first.
    public let predict: Predict
    private let record: ModuleRecord

    public init(
        _ signature: Signature, rationaleField: Field? = nil, lm: LM? = nil, demos: [Example] = [], n: Int? = nil,
        temperature: Double? = nil, config: OrderedDictionary<String, Value> = [:], callbacks: [any Callback] = []
    ) throws {
        if let n { _ = try LMRequest.checkedCompletions(.int(n)) }
        let rationale = rationaleField ?? Field.output("reasoning")
        let extended = try signature.prepending(Field(rationale.name, kind: .output, type: rationale.type, description: rationale.description))
        predict = Predict(extended, lm: lm, demos: demos, n: n, temperature: temperature, config: config)
        record = ModuleRecord(callbacks: callbacks)
    }

    /// `try ChainOfThought("question -> answer")`.
    public convenience init(
        _ signature: String, instructions: String? = nil, lm: LM? = nil, demos: [Example] = [], n: Int? = nil,
        temperature: Double? = nil, config: OrderedDictionary<String, Value> = [:], callbacks: [any Callback] = []
    ) throws {
        try self.init(
            try Signature(signature, instructions: instructions), lm: lm, demos: demos, n: n, temperature: temperature,
            config: config, callbacks: callbacks)
    }

    private init(predict: Predict, callbacks: [any Callback]) {
        self.predict = predict
        record = ModuleRecord(callbacks: callbacks)
    }

    public func deepCopy() async throws -> any Module { copy() }

    /// A new ChainOfThought with a copy of this one's predictor.
    public func copy() -> ChainOfThought { ChainOfThought(predict: predict.copy(), callbacks: callbacks) }

    /// The task's signature with the reasoning field.
    public var signature: Signature { predict.signature }
    /// History, callbacks and the compiled flag of this module.
    public var moduleRecord: ModuleRecord? { record }
    /// Its one predictor, as `predict`.
    public var subModules: [(name: String, module: any Module)] { [("predict", predict)] }
    public var description: String { "ChainOfThought(\(predict.signature))" }

    /// Keyword arguments only, as its predictor takes.
    public func rejectPositional() throws { try predict.rejectPositional() }

    /// Calls with per-call options for its predictor: another LM or extra LM parameters (DSPy
    /// passes `lm` and `config` through to the inner Predict).
    public func call(_ inputs: Inputs, lm: LM?, config: OrderedDictionary<String, Value> = [:]) async throws -> Prediction {
        let options = Predict.CallOptions(targets: [ObjectIdentifier(predict)], lm: lm, config: config, demos: nil)
        return try await Predict.$callOptions.withValue(options) { try await runModuleCall(self, inputs) }
    }

    /// Calls the inner predictor.
    public func forward(_ inputs: Inputs) async throws -> Prediction {
        try await runModuleCall(predict, inputs)
    }
}
