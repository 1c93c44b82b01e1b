import DSPy
import PythonInterpreter

/// The Python classes of the `dspy` module. Each is built once, with its methods; the methods
/// reach the session through the interpreter (`ctx.shell`).
enum DSPyTypes {
    static func type(
        _ name: String, base: PyType? = Builtins.objectType, subclassable: Bool = true,
        _ install: @escaping (PyType) -> Void
    ) -> PyType {
        Builtins.makeType(name, base: base, module: "dspy", native: .init(subclassable: subclassable), install: install)
    }

    static let example = type("Example") { RecordBinding.installExample($0) }
    static let prediction = type("Prediction", base: example) { RecordBinding.installPrediction($0) }
    static let completions = type("Completions", subclassable: false) { RecordBinding.installCompletions($0) }
    static let lm = type("LM") { LMBinding.install($0) }
    static let adapter = type("Adapter") { AdapterBinding.installBase($0) }
    static let chatAdapter = type("ChatAdapter", base: adapter) { AdapterBinding.installChat($0) }
    static let jsonAdapter = type("JSONAdapter", base: adapter) { AdapterBinding.installJSON($0) }
    static let scope = type("context", subclassable: false) { SettingsBinding.installScope($0) }
    static let settings = type("Settings", subclassable: false) { SettingsBinding.installSettings($0) }
    static let usageTracker = type("UsageTracker", subclassable: false) { SettingsBinding.installUsageTracker($0) }
    static let tokenBudget = type("TokenBudget", subclassable: false) { SettingsBinding.installTokenBudget($0) }
    static let signature = type("Signature") { SignatureBinding.install($0) }
    static let fieldInfo = type("FieldInfo", subclassable: false) { SignatureBinding.installField($0) }
    static let module = type("Module") { ModuleBinding.installModule($0) }
    static let predict = type("Predict", base: module) { ModuleBinding.installPredict($0) }
    static let chainOfThought = type("ChainOfThought", base: module) { ModuleBinding.installChainOfThought($0) }
    static let react = type("ReAct", base: module) { ModuleBinding.installReAct($0) }
    static let tool = type("Tool") { ToolBinding.install($0) }
    static let parallel = type("Parallel") { ParallelBinding.installParallel($0) }
    static let job = type("Job", subclassable: false) { JobBinding.install($0) }
    static let callback = type("BaseCallback") { CallbackBridge.install($0) }
    static let streamListener = type("StreamListener") { StreamingBinding.installListener($0) }

    static let dspyError = Builtins.exceptionType("DSPyError", Builtins.exceptionBaseType, module: "dspy")
    static let adapterParseError = Builtins.exceptionType("AdapterParseError", dspyError, module: "dspy.utils.exceptions")
    static let lmError = Builtins.exceptionType("LMError", dspyError, module: "dspy")
    static let contextWindowExceededError = Builtins.exceptionType("ContextWindowExceededError", lmError, module: "dspy")
    static let tokenBudgetExceeded = Builtins.exceptionType("TokenBudgetExceeded", dspyError, module: "dspy")
}

/// A Python object around a library value.
final class LMObject: PyNativeObject<LM>, @unchecked Sendable {
    // Sendable proof: as every Python object, touched only under the interpreter lock.
    private init(_ lm: LM) { super.init(type: DSPyTypes.lm, payload: lm) }

    /// The one Python object of `lm` while it lives, so `dspy.settings.lm is lm` holds as in DSPy.
    static func wrap(_ lm: LM) -> LMObject {
        wrappers.withLock { table in
            let key = ObjectIdentifier(lm)
            if let live = table[key]?.object { return live }
            if table.count >= 64 { table = table.filter { $0.value.object != nil } }
            let made = LMObject(lm)
            table[key] = WeakWrapper(object: made)
            return made
        }
    }

    private struct WeakWrapper { weak var object: LMObject? }
    /// Keyed by the LM, which a live wrapper keeps alive (so its identifier is not reused).
    private static let wrappers = Locked<[ObjectIdentifier: WeakWrapper]>([:])
}

final class AdapterObject: PyNativeObject<any Adapter>, @unchecked Sendable {
    // Sendable proof: as every Python object, touched only under the interpreter lock.
    init(_ a: any Adapter) {
        super.init(type: a is JSONAdapter ? DSPyTypes.jsonAdapter : DSPyTypes.chatAdapter, payload: a)
    }
}

final class TokenBudgetObject: PyNativeObject<TokenBudget>, @unchecked Sendable {
    // Sendable proof: as every Python object, touched only under the interpreter lock.
    init(_ b: TokenBudget) { super.init(type: DSPyTypes.tokenBudget, payload: b) }
}

final class UsageTrackerObject: PyNativeObject<UsageTracker>, @unchecked Sendable {
    // Sendable proof: as every Python object, touched only under the interpreter lock.
    init(_ t: UsageTracker) { super.init(type: DSPyTypes.usageTracker, payload: t) }
    var tracker: UsageTracker { payload }
}
