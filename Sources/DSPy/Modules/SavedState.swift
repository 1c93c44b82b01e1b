import Foundation
import Logging
import OrderedCollections

/// A saved program that does not fit the program it is loaded into, or a file that is not one.
public struct SavedStateError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// What saving and loading programs share.
public enum SavedProgram {
    static let logger = Logger(label: "dspy.primitives.base_module")

    /// The `dependency_versions` written with a saved program: the DSPy behaviour this library
    /// follows, and the Python language level its shell speaks (Python DSPy warns on a mismatch).
    public static let dependencyVersions: OrderedDictionary<String, Value> = [
        "python": "3.11", "dspy": .string(DSPyVersion.compatibleDSPy), "cloudpickle": "3.1",
    ]
}

/// DSPy 3.4.1's JSON state (`module.save("prog.json")`): per named predictor its demos,
/// signature (instructions, each field's prefix and description) and LM; a single Predict's
/// state stands alone. Files written here load in Python DSPy and the other way round.
extension Module {

    /// DSPy's `dump_state()`.
    public func dumpState() -> Value {
        if let p = self as? Predict { return p.predictorState() }
        var out = OrderedDictionary<String, Value>()
        for (name, p) in namedPredictors { out[name] = p.predictorState() }
        return .object(out)
    }

    /// Writes ``dumpState()`` with `metadata` as `path` (`.json` only), as DSPy's `save` writes it.
    public func save(to path: String) throws {
        guard path.hasSuffix(".json") else {
            throw SavedStateError(
                "`path` must end with .json: only a program's JSON state is saved here (DSPy's .pkl and save_program=True run pickled code), got '\(path)'."
            )
        }
        guard case .object(var state) = dumpState() else { return }
        state["metadata"] = .object(["dependency_versions": .object(SavedProgram.dependencyVersions)])
        try Data((JSON.pythonDumps(.object(state), indent: 2) + "\n").utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Reads a state written by ``save(to:)`` or by Python DSPy and applies it (`load`).
    /// - Parameter allowUnsafeLMState: keeps a saved LM's `api_base` (off: a file does not get
    ///   to send your requests elsewhere).
    public func load(from path: String, allowUnsafeLMState: Bool = false) throws {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw SavedStateError("Cannot read '\(path)': \(error.localizedDescription)")
        }
        let state: Value
        do { state = try JSON.parse(bytes: Array(data)) } catch {
            throw SavedStateError("'\(path)' is not a saved program: \(error)")
        }
        try loadState(state, allowUnsafeLMState: allowUnsafeLMState)
    }

    /// Applies a ``dumpState()`` value. Every predictor's part is checked first, so a state that
    /// does not fit changes nothing; the error names the predictor and the mismatch.
    public func loadState(_ state: Value, allowUnsafeLMState: Bool = false) throws {
        guard case .object(let top) = state else { throw SavedStateError("A saved program is a JSON object, not \(Metric.pythonTypeName(state)).") }
        var plans: [(Predict, Predict.LoadedState)] = []
        if let p = self as? Predict {
            plans.append((p, try p.loadedState(top, path: "self", allowUnsafeLMState: allowUnsafeLMState)))
        } else {
            let predictors = namedPredictors
            if top["signature"] != nil && top["demos"] != nil {
                throw SavedStateError(
                    "The saved state is a single Predict's, but this program has predictors \(predictors.map(\.name).joined(separator: ", ")): load it into a Predict, or into that predictor (program.\(predictors.first?.name ?? "predict").load_state(...))."
                )
            }
            let expected = Set(predictors.map(\.name))
            let unknown = top.keys.filter { $0 != "metadata" && !expected.contains($0) }
            if !unknown.isEmpty {
                throw SavedStateError(
                    "The saved program has predictors this program does not: \(unknown.joined(separator: ", ")) (this program has \(predictors.map(\.name).joined(separator: ", ")))."
                )
            }
            for (name, p) in predictors {
                guard case .object(let part)? = top[name] else {
                    throw SavedStateError(
                        "The saved program has no state for predictor '\(name)' (it has \(top.keys.filter { $0 != "metadata" }.joined(separator: ", ")))."
                    )
                }
                plans.append((p, try p.loadedState(part, path: name, allowUnsafeLMState: allowUnsafeLMState)))
            }
        }
        for (p, loaded) in plans { p.apply(loaded) }
    }
}

extension Predict {
    /// What loading gives one predictor, checked before anything changes.
    struct LoadedState {
        let signature: Signature
        let demos: [Example]
        let lm: LM?
    }

    func predictorState() -> Value {
        let sig = signature
        let fields: [Value] = sig.fields.map { f in
            .object(["prefix": .string(f.prefix), "description": .string(f.description ?? "${\(f.name)}")])
        }
        return .object([
            "traces": .array([]),
            "train": .array([]),
            "demos": .array(demos.map { .object($0.values) }),
            "signature": .object(["instructions": .string(sig.instructions), "fields": .array(fields)]),
            "lm": lm.map { $0.dumpState() } ?? .null,
        ])
    }

    func loadedState(_ state: OrderedDictionary<String, Value>, path: String, allowUnsafeLMState: Bool) throws -> LoadedState {
        if state["extended_signature"] != nil {
            throw SavedStateError("Predictor '\(path)': loading extended_signature (DSPy 2.5 and earlier) is not supported.")
        }
        guard case .object(let sigState)? = state["signature"] else {
            throw SavedStateError("Predictor '\(path)': the saved state has no signature.")
        }
        var sig = signature
        if let instructions = sigState["instructions"] {
            guard case .string(let text) = instructions else { throw SavedStateError("Predictor '\(path)': instructions must be a string.") }
            sig = sig.withInstructions(text)
        }
        if let saved = sigState["fields"] {
            guard case .array(let items) = saved else { throw SavedStateError("Predictor '\(path)': signature fields must be a list.") }
            guard items.count == sig.fields.count else {
                throw SavedStateError(
                    "Predictor '\(path)': the saved signature has \(items.count) fields, this one has \(sig.fields.count) (\(sig.fields.map(\.name).joined(separator: ", ")))."
                )
            }
            var updated = sig.fields
            for (i, item) in items.enumerated() {
                guard case .object(let f) = item else {
                    throw SavedStateError("Predictor '\(path)': field \(i + 1) of the saved signature is not an object.")
                }
                if case .string(let prefix)? = f["prefix"] { updated[i].prefix = prefix }
                if case .string(let d)? = f["description"] { updated[i].description = d == "${\(updated[i].name)}" ? nil : d }
            }
            sig = try Signature(
                inputs: Array(updated.prefix(sig.inputFields.count)), outputs: Array(updated.dropFirst(sig.inputFields.count)),
                instructions: sig.instructions)
        }
        var demos: [Example] = []
        if let saved = state["demos"] {
            guard case .array(let items) = saved else { throw SavedStateError("Predictor '\(path)': demos must be a list.") }
            for (i, item) in items.enumerated() {
                guard case .object(let values) = item else { throw SavedStateError("Predictor '\(path)': demo \(i + 1) is not an object.") }
                demos.append(Example(values))
            }
        }
        var lm: LM?
        if let saved = state["lm"], !saved.isNull {
            guard case .object(let lmState) = saved else { throw SavedStateError("Predictor '\(path)': lm must be an object or null.") }
            lm = try LM.loadState(lmState, allowUnsafe: allowUnsafeLMState, path: path)
        }
        return LoadedState(signature: sig, demos: demos, lm: lm)
    }

    func apply(_ loaded: LoadedState) {
        signature = loaded.signature
        demos = loaded.demos
        lm = loaded.lm
    }
}

extension LM {
    /// DSPy's `LM.dump_state()`: the class, model and knobs, never the key.
    public func dumpState() -> Value {
        var out: OrderedDictionary<String, Value> = [
            "_dspy_lm_class": "dspy.clients.lm.LM",
            "model": .string(model),
            "model_type": "chat",
            "cache": .bool(cache),
            "num_retries": .int(numRetries),
        ]
        for (k, v) in kwargs where k != "api_key" { out[k] = v }
        if let apiBase, provider != .dummy, apiBase != LM.defaultAPIBase(for: provider) { out["api_base"] = .string(apiBase) }
        out["finetuning_model"] = .null
        out["launch_kwargs"] = .object([:])
        out["train_kwargs"] = .object([:])
        return .object(out)
    }

    static let stateOnlyKeys: Set<String> = [
        "_dspy_lm_class", "model", "model_type", "cache", "num_retries", "finetuning_model",
        "launch_kwargs", "train_kwargs", "api_base", "base_url", "model_list", "api_key",
    ]

    /// An LM from ``dumpState()``. Without `allowUnsafe`, `api_base`, `base_url` and
    /// `model_list` are dropped (as DSPy drops them) and only DSPy's own LM class loads.
    static func loadState(_ state: OrderedDictionary<String, Value>, allowUnsafe: Bool, path: String) throws -> LM {
        if let cls = state["_dspy_lm_class"]?.stringValue, cls != "dspy.clients.lm.LM" {
            throw SavedStateError(
                "Predictor '\(path)': the saved LM is a custom class `\(cls)`, which this library cannot build; set the predictor's LM in code.")
        }
        guard case .string(let model)? = state["model"] else { throw SavedStateError("Predictor '\(path)': the saved LM has no model.") }
        var parameters = OrderedDictionary<String, Value>()
        for (k, v) in state where !stateOnlyKeys.contains(k) && k != "temperature" && k != "max_tokens" { parameters[k] = v }
        let base = allowUnsafe ? (state["api_base"]?.stringValue ?? state["base_url"]?.stringValue) : nil
        if !allowUnsafe, state["api_base"] != nil || state["base_url"] != nil || state["model_list"] != nil {
            SavedProgram.logger.warning(
                "Predictor '\(path)': the saved LM's api_base/base_url/model_list were dropped; pass allow_unsafe_lm_state=True to keep them for a file you trust."
            )
        }
        do {
            return try LM(
                model, temperature: state["temperature"]?.doubleValue, maxTokens: state["max_tokens"]?.intValue, apiBase: base,
                numRetries: state["num_retries"]?.intValue ?? 3, cache: state["cache"]?.boolValue, parameters: parameters)
        } catch {
            throw SavedStateError("Predictor '\(path)': the saved LM cannot be built: \(error)")
        }
    }
}
