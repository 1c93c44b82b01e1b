import OrderedCollections
import Synchronization

/// Errors from calling modules, worded as DSPy words them.
public enum ModuleError: Error, CustomStringConvertible, Sendable {
    case positionalArguments(inputNames: [String])
    case noLM
    case lmIsString(String)
    case lmWrongType(String)
    case forwardNotImplemented(String)
    case notCopyable(String)

    public var description: String {
        switch self {
        case .positionalArguments(let names):
            return "Positional arguments are not allowed when calling `Predict`, must use keyword arguments that match your signature input fields: '\(names.joined(separator: ", "))'. For example: `predict(\(names.first ?? "input")=input_value, ...)`."
        case .noLM:
            return "No LM is loaded. Please configure the LM using `configure(lm: LM(...))`. e.g, `try configure(lm: LM(\"openai/gpt-4o-mini\"))`"
        case .lmIsString(let s):
            return "LM must be an instance of `LM`, not a string. Instead of using a string like 'configure([\"lm\": \"\(s)\"])', please configure the LM like 'configure(lm: LM(\"\(s)\"))'"
        case .lmWrongType(let t):
            return "LM must be an instance of `LM`, not \(t)."
        case .forwardNotImplemented(let name):
            return "\(name) does not implement forward(_:). Subclasses of Module override `func forward(_ inputs: Inputs) async throws -> Prediction`."
        case .notCopyable(let name):
            return "\(name) cannot be copied, which optimizers and load need. Override `func deepCopy() async throws -> Module` to build a copy with fresh predictors."
        }
    }

    /// The message as Python DSPy words it, for a front end that speaks Python (the shell);
    /// ``description`` names the Swift API instead.
    public var dspyDescription: String {
        switch self {
        case .positionalArguments(let names):
            return "Positional arguments are not allowed when calling `dspy.Predict`, must use keyword arguments that match your signature input fields: '\(names.joined(separator: ", "))'. For example: `predict(\(names.first ?? "input")=input_value, ...)`."
        case .noLM:
            return "No LM is loaded. Please configure the LM using `dspy.configure(lm=dspy.LM(...))`. e.g, `dspy.configure(lm=dspy.LM('openai/gpt-4o-mini'))`"
        case .lmIsString(let s):
            return "LM must be an instance of `dspy.BaseLM`, not a string. Instead of using a string like 'dspy.configure(lm=\"\(s)\")', please configure the LM like 'dspy.configure(lm=dspy.LM(\"\(s)\"))'"
        case .lmWrongType(let t):
            return "LM must be an instance of `dspy.BaseLM`, not \(t)."
        case .forwardNotImplemented(let name):
            return "\(name) does not define forward(); a dspy.Module subclass defines `def forward(self, ...)`."
        case .notCopyable(let name):
            return "\(name) cannot be copied, which optimizers and load need."
        }
    }
}

/// The base of every program (DSPy's `dspy.Module`). Subclasses override ``forward(_:)``;
/// callers use `try await module(field: value, ...)`, which runs `forward` inside a call scope
/// that records history, tracks usage and fires callbacks.
///
/// DSPy's `__call__`, `acall`, `forward` and `aforward` all map onto one async path: call the
/// module (`try await m(...)`), override `forward`.
@dynamicCallable
open class Module: @unchecked Sendable, CustomStringConvertible {
    // Sendable proof: this class's own mutable state lives in `moduleState`, behind a lock (`Locked`).
    // Subclasses that add mutable stored properties must protect them the same way.
    private let moduleState: Locked<ModuleState>

    private struct ModuleState {
        var history = BoundedHistory()
        var callbacks: [any Callback]
        var isCompiled = false
    }

    public init(callbacks: [any Callback] = []) {
        moduleState = Locked(ModuleState(callbacks: callbacks))
    }

    /// The program's logic. Call the module instead of calling this directly, so that history,
    /// usage and callbacks see the call.
    open func forward(_ inputs: Inputs) async throws -> Prediction {
        throw ModuleError.forwardNotImplemented(String(describing: type(of: self)))
    }

    /// Sub-modules by attribute name, for walking a program (`namedPredictors`, `setLM`).
    open var children: [(name: String, module: Module)] { [] }

    /// Per-module callback handlers (run after the global ones).
    public var callbacks: [any Callback] {
        get { moduleState.withLock { $0.callbacks } }
        set { moduleState.withLock { $0.callbacks = newValue } }
    }

    open var description: String { String(describing: type(of: self)) + "()" }

    // MARK: Calling

    /// Runs the module: opens a `caller_modules` scope, tracks usage when `track_usage` is on,
    /// and fires module callbacks around ``forward(_:)``.
    public final func call(_ inputs: Inputs) async throws -> Prediction {
        let settings = Settings.current
        let handlers = settings.callbacks + callbacks
        return try await CallbackRunner.run(handlers: handlers,
            start: { cb, info in cb.onModuleStart(info, module: self, inputs: inputs) },
            end: { cb, info, result, error in cb.onModuleEnd(info, outputs: result, error: error) }) {
            var scope: [String: any Sendable] = ["caller_modules": settings.callerModules + [self]]
            var tracker: UsageTracker?
            if settings.trackUsage {
                let t = UsageTracker(parent: settings.usageTracker)
                scope["usage_tracker"] = t
                tracker = t
            }
            var prediction = try await settings.context(scope) { try await self.forward(inputs) }
            if let tracker { prediction.lmUsage = tracker.totals }
            return prediction
        }
    }

    /// `try await module(question: "...")`: keyword arguments become the inputs.
    public final func dynamicallyCall(withKeywordArguments args: KeyValuePairs<String, any ValueConvertible>) async throws -> Prediction {
        var inputs = Inputs()
        for (k, v) in args {
            if k.isEmpty { try rejectPositional() }
            inputs[k] = v.dspyValue
        }
        return try await call(inputs)
    }

    /// Same as calling the module (DSPy's `acall`).
    public final func acall(_ inputs: Inputs) async throws -> Prediction { try await call(inputs) }

    /// Hook for modules that forbid positional arguments.
    open func rejectPositional() throws {}

    // MARK: History

    func appendHistory(_ entry: HistoryEntry, limit: Int) {
        moduleState.withLock { $0.history.append(entry, limit: limit) }
    }

    /// LM calls made while this module was on the call stack, oldest first.
    public var history: [HistoryEntry] { moduleState.withLock { $0.history.entries } }

    /// Forgets this module's history.
    public func clearHistory() { moduleState.withLock { $0.history = BoundedHistory() } }

    /// The last `n` calls, formatted as DSPy's `inspect_history` prints them.
    public func inspectHistory(n: Int = 1, color: Bool = false) -> String {
        HistoryEntry.render(HistoryEntry.last(n, of: history), color: color)
    }

    // MARK: Walking the program

    /// Every `Predict` inside this program with its dotted path (`cot.predict`).
    public var namedPredictors: [(name: String, predictor: Predict)] {
        var out: [(String, Predict)] = []
        var seen = Set<ObjectIdentifier>()
        func walk(_ m: Module, _ path: String) {
            guard seen.insert(ObjectIdentifier(m)).inserted else { return }
            if let p = m as? Predict { out.append((path.isEmpty ? "self" : path, p)) }
            for (name, child) in m.children { walk(child, path.isEmpty ? name : path + "." + name) }
        }
        walk(self, "")
        return out
    }

    /// Sets the LM of every predictor in the program.
    public func setLM(_ lm: LM?) {
        for (_, p) in namedPredictors { p.lm = lm }
    }

    // MARK: Copies, for optimizers

    /// True once an optimizer returned this program (DSPy's `_compiled`): it is not compiled again
    /// as a student, and a teacher that is compiled keeps its demos.
    public var isCompiled: Bool {
        get { moduleState.withLock { $0.isCompiled } }
        set { moduleState.withLock { $0.isCompiled = newValue } }
    }

    /// A copy whose predictors are new objects with the same signature, demos, LM and config
    /// (DSPy's `deepcopy()`); tools and LMs are shared. Subclasses with sub-modules override it.
    open func deepCopy() async throws -> Module {
        throw ModuleError.notCopyable(String(describing: type(of: self)))
    }

    /// A copy with every predictor reset: no demos and no LM of its own (DSPy's `reset_copy()`).
    public func resetCopy() async throws -> Module {
        let copy = try await deepCopy()
        for (_, p) in copy.namedPredictors {
            p.demos = []
            p.lm = nil
        }
        return copy
    }
}
