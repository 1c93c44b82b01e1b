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
            return
                "Positional arguments are not allowed when calling `Predict`, must use keyword arguments that match your signature input fields: '\(names.joined(separator: ", "))'. For example: `predict(\(names.first ?? "input")=input_value, ...)`."
        case .noLM:
            return "No LM is loaded. Please configure the LM using `configure(.lm(LM(...)))`. e.g, `try configure(.lm(LM(\"openai/gpt-4o-mini\")))`"
        case .lmIsString(let s):
            return
                "LM must be an instance of `LM`, not a string. Instead of using a string like 'configure([\"lm\": \"\(s)\"])', please configure the LM like 'configure(.lm(LM(\"\(s)\")))'"
        case .lmWrongType(let t):
            return "LM must be an instance of `LM`, not \(t)."
        case .forwardNotImplemented(let name):
            return "\(name) does not implement forward(_:). A Module implements `func forward(_ inputs: Inputs) async throws -> Prediction`."
        case .notCopyable(let name):
            return
                "\(name) cannot be copied, which optimizers and load need. Implement `func deepCopy() async throws -> any Module` to build a copy with fresh predictors."
        }
    }

    /// The message as Python DSPy words it, for a front end that speaks Python (the shell);
    /// ``description`` names the Swift API instead.
    public var dspyDescription: String {
        switch self {
        case .positionalArguments(let names):
            return
                "Positional arguments are not allowed when calling `dspy.Predict`, must use keyword arguments that match your signature input fields: '\(names.joined(separator: ", "))'. For example: `predict(\(names.first ?? "input")=input_value, ...)`."
        case .noLM:
            return
                "No LM is loaded. Please configure the LM using `dspy.configure(lm=dspy.LM(...))`. e.g, `dspy.configure(lm=dspy.LM('openai/gpt-4o-mini'))`"
        case .lmIsString(let s):
            return
                "LM must be an instance of `dspy.BaseLM`, not a string. Instead of using a string like 'dspy.configure(lm=\"\(s)\")', please configure the LM like 'dspy.configure(lm=dspy.LM(\"\(s)\"))'"
        case .lmWrongType(let t):
            return "LM must be an instance of `dspy.BaseLM`, not \(t)."
        case .forwardNotImplemented(let name):
            return "\(name) does not define forward(); a dspy.Module subclass defines `def forward(self, ...)`."
        case .notCopyable(let name):
            return "\(name) cannot be copied, which optimizers and load need."
        }
    }
}

/// A program (DSPy's `dspy.Module`): anything with a ``forward(_:)``. Callers use
/// `try await module(field: value, ...)` (or ``call(_:)``), which runs `forward` inside a call
/// scope that records history, tracks usage and fires callbacks.
///
/// Write modules as structs or final classes whose stored properties are `Sendable`, so the
/// compiler checks them for data races. Sub-modules are found by walking stored properties
/// (``subModules``), as DSPy walks `__dict__`; there is no list to keep in step.
///
///     struct RAG: Module {
///         let rewrite: Predict
///         let answers: [ChainOfThought]          // found as `answers[0]`, `answers[1]`, ...
///         func forward(_ inputs: Inputs) async throws -> Prediction { ... }
///     }
///
/// DSPy's `__call__`, `acall`, `forward` and `aforward` all map onto one async path: call the
/// module (`try await m(...)`), implement `forward`.
@dynamicCallable
public protocol Module: Sendable {
    /// The program's logic. Call the module instead of calling this directly, so that history,
    /// usage and callbacks see the call.
    func forward(_ inputs: Inputs) async throws -> Prediction

    /// The direct sub-modules by attribute path (`answer`, `layers[0]`, `experts['math']`), for
    /// walking a program (``namedPredictors``, ``setLM(_:)``, streaming, saving). The default
    /// walks stored properties with `Mirror`; implement it only where attributes live elsewhere
    /// (a Python instance's dictionary) or to hide a property from the walk.
    var subModules: [(name: String, module: any Module)] { get }

    /// This instance's history, callbacks and compiled flag, or `nil` for a module without
    /// them. The default finds a stored ``ModuleRecord`` property (`let record = ModuleRecord()`);
    /// a module without one simply records nothing of its own.
    var moduleRecord: ModuleRecord? { get }

    /// A copy whose predictors are new objects with the same signature, demos, LM and config
    /// (DSPy's `deepcopy()`), with a fresh ``ModuleRecord``; tools and LMs are shared. Optimizers
    /// need it. The default throws ``ModuleError/notCopyable(_:)``.
    func deepCopy() async throws -> any Module

    /// Called for a positional argument in a keyword call (`m("x")`): throw to forbid them, as
    /// predictors do. The default allows them (the key is empty).
    func rejectPositional() throws
}

/// What a module instance keeps about itself: the LM calls made while it was on the call stack
/// (``Module/history``), callbacks of its own, and whether an optimizer compiled it. Store one
/// in a module (`let record = ModuleRecord()`) to give it these. It is a reference: a struct
/// copied by value shares it, so a ``Module/deepCopy()`` makes a new one.
public final class ModuleRecord: Sendable {
    private let state: Locked<State>

    private struct State {
        var history = BoundedHistory()
        var callbacks: [any Callback]
        var isCompiled = false
    }

    /// - Parameter callbacks: handlers for this module's calls (run after the global ones).
    public init(callbacks: [any Callback] = []) {
        state = Locked(State(callbacks: callbacks))
    }

    /// Per-module callback handlers (run after the global ones).
    public var callbacks: [any Callback] {
        get { state.withLock { $0.callbacks } }
        set { state.withLock { $0.callbacks = newValue } }
    }

    /// True once an optimizer returned the module (DSPy's `_compiled`).
    public var isCompiled: Bool {
        get { state.withLock { $0.isCompiled } }
        set { state.withLock { $0.isCompiled = newValue } }
    }

    /// LM calls made while the module was on the call stack, oldest first.
    public var history: [HistoryEntry] { state.withLock { $0.history.entries } }

    func appendHistory(_ call: RecordedCall, limit: Int) {
        state.withLock { $0.history.append(call, limit: limit) }
    }

    /// Forgets the history.
    public func clearHistory() { state.withLock { $0.history = BoundedHistory() } }
}

extension Module {
    public var subModules: [(name: String, module: any Module)] { ModuleDiscovery.storedSubModules(of: self) }

    public var moduleRecord: ModuleRecord? { ModuleDiscovery.storedRecord(of: self) }

    public func deepCopy() async throws -> any Module {
        throw ModuleError.notCopyable(String(describing: type(of: self)))
    }

    public func rejectPositional() throws {}

    /// The object identity of a class-instance module, `nil` for a value (struct) module.
    package var objectIdentity: ObjectIdentifier? {
        type(of: self) is AnyClass ? ObjectIdentifier(self as AnyObject) : nil
    }

    // MARK: Calling

    /// Runs the module: opens a `caller_modules` scope, tracks usage when `track_usage` is on,
    /// and fires the global and the module's callbacks around ``forward(_:)``.
    public func call(_ inputs: Inputs) async throws -> Prediction {
        try await runModuleCall(self, inputs)
    }

    /// `try await module(question: "...")`: keyword arguments become the inputs.
    public func dynamicallyCall(withKeywordArguments args: KeyValuePairs<String, any ValueConvertible>) async throws -> Prediction {
        var inputs = Inputs()
        for (k, v) in args {
            if k.isEmpty { try rejectPositional() }
            inputs[k] = v.dspyValue
        }
        return try await runModuleCall(self, inputs)
    }

    /// Same as calling the module (DSPy's `acall`).
    public func acall(_ inputs: Inputs) async throws -> Prediction { try await runModuleCall(self, inputs) }

    // MARK: Per-instance record

    /// Per-module callback handlers (run after the global ones); empty, and not settable, for
    /// a module without a ``ModuleRecord``.
    public var callbacks: [any Callback] {
        get { moduleRecord?.callbacks ?? [] }
        nonmutating set { moduleRecord?.callbacks = newValue }
    }

    /// LM calls made while this module was on the call stack, oldest first (empty for a module
    /// without a ``ModuleRecord``; its predictors keep theirs).
    public var history: [HistoryEntry] { moduleRecord?.history ?? [] }

    /// Forgets this module's history.
    public func clearHistory() { moduleRecord?.clearHistory() }

    /// The last `n` calls, formatted as DSPy's `inspect_history` prints them.
    public func inspectHistory(n: Int = 1, color: Bool = false) -> String {
        HistoryEntry.render(HistoryEntry.last(n, of: history), color: color)
    }

    /// True once an optimizer returned this program (DSPy's `_compiled`): it is not compiled again
    /// as a student, and a teacher that is compiled keeps its demos. Always false (and setting
    /// it does nothing) for a module without a ``ModuleRecord``.
    public var isCompiled: Bool {
        get { moduleRecord?.isCompiled ?? false }
        nonmutating set { moduleRecord?.isCompiled = newValue }
    }

    // MARK: Walking the program

    /// Every `Predict` inside this program with its dotted path (`answer.predict`,
    /// `layers[0]`), found through ``subModules``; a predictor reached twice is listed once.
    public var namedPredictors: [(name: String, predictor: Predict)] {
        var out: [(name: String, predictor: Predict)] = []
        var seen = Set<ObjectIdentifier>()
        func walk(_ m: any Module, _ path: String) {
            if let id = m.objectIdentity, !seen.insert(id).inserted { return }
            if let p = m as? Predict { out.append((path.isEmpty ? "self" : path, p)) }
            for (name, child) in m.subModules {
                walk(child, path.isEmpty ? name : path + "." + name)
            }
        }
        walk(self, "")
        return out
    }

    /// Sets the LM of every predictor in the program.
    public func setLM(_ lm: LM?) {
        for (_, p) in namedPredictors { p.lm = lm }
    }

    // MARK: Copies, for optimizers

    /// A copy with every predictor reset: no demos and no LM of its own (DSPy's `reset_copy()`).
    public func resetCopy() async throws -> any Module {
        let copy = try await deepCopy()
        for (_, p) in copy.namedPredictors {
            p.demos = []
            p.lm = nil
        }
        return copy
    }
}

/// The call scope every module call runs in (``Module/call(_:)``); predictors' per-call
/// overloads use it too.
func runModuleCall(_ module: some Module, _ inputs: Inputs) async throws -> Prediction {
    let settings = Settings.current
    let handlers = settings.callbacks + (module.moduleRecord?.callbacks ?? [])
    // Without callbacks, no closure (and so no async frame held while the call waits) for them.
    if handlers.isEmpty { return try await runInModuleScope(module, inputs, settings: settings) }
    return try await runObserved(module, inputs, settings: settings, handlers: handlers)
}

/// ``runModuleCall(_:_:)`` seen by callbacks; its own function, so that the frame of a call
/// without callbacks does not carry this path's state.
@inline(never)
private func runObserved(_ module: some Module, _ inputs: Inputs, settings: Settings, handlers: [any Callback]) async throws -> Prediction {
    try await CallbackRunner.run(
        handlers: handlers,
        start: { cb, info in cb.onModuleStart(info, module: module, inputs: inputs) },
        end: { cb, info, result, error in cb.onModuleEnd(info, outputs: result, error: error) }
    ) {
        try await runInModuleScope(module, inputs, settings: settings)
    }
}

/// `forward` with the module among the caller modules (and a usage tracker when usage is tracked).
@inline(__always)
private func runInModuleScope(_ module: some Module, _ inputs: Inputs, settings: Settings) async throws -> Prediction {
    var scope: [String: any Sendable] = ["caller_modules": settings.callerModules + [module as any Module]]
    var tracker: UsageTracker?
    if settings.trackUsage {
        let t = UsageTracker(parent: settings.usageTracker)
        scope["usage_tracker"] = t
        tracker = t
    }
    var prediction = try await settings.withOverrides(scope) { try await module.forward(inputs) }
    if let tracker { prediction.lmUsage = tracker.totals }
    return prediction
}

/// Finding sub-modules and records in stored properties, as DSPy walks `__dict__`.
/// A value that is not a module but holds one that a program's walk should find in its place
/// (the typed front doors: ``TypedPredict``, ``TypedChainOfThought``).
protocol WrapsModule {
    var wrappedModule: any Module { get }
}

enum ModuleDiscovery {
    /// The modules held by `value`'s stored properties (its superclasses' too): directly, in an
    /// optional, in an array or tuple (`name[i]`), or in a dictionary (`name['key']`, in key order
    /// for `Dictionary`, in insertion order for ordered ones).
    static func storedSubModules(of value: Any) -> [(name: String, module: any Module)] {
        var out: [(name: String, module: any Module)] = []
        var mirror: Mirror? = Mirror(reflecting: value)
        while let m = mirror {
            for child in m.children {
                guard let label = child.label else { continue }
                collect(child.value, name: propertyName(label), into: &out)
            }
            mirror = m.superclassMirror
        }
        return out
    }

    /// The first stored ``ModuleRecord`` among `value`'s properties.
    static func storedRecord(of value: Any) -> ModuleRecord? {
        var mirror: Mirror? = Mirror(reflecting: value)
        while let m = mirror {
            for child in m.children {
                if let record = child.value as? ModuleRecord { return record }
            }
            mirror = m.superclassMirror
        }
        return nil
    }

    /// `lazy var x` is stored as `$__lazy_storage_$_x`; DSPy's name is the attribute's.
    private static func propertyName(_ label: String) -> String {
        let lazyPrefix = "$__lazy_storage_$_"
        return label.hasPrefix(lazyPrefix) ? String(label.dropFirst(lazyPrefix.count)) : label
    }

    private static func collect(_ value: Any, name: String, into out: inout [(name: String, module: any Module)]) {
        if let module = unwrappedModule(value) {
            out.append((name, module))
            return
        }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            if let wrapped = mirror.children.first { collect(wrapped.value, name: name, into: &out) }
        case .collection, .tuple, .set:
            for (index, element) in mirror.children.enumerated() {
                if let module = unwrapped(element.value) { out.append(("\(name)[\(index)]", module)) }
            }
        case .dictionary:
            var pairs: [(key: String, module: any Module)] = []
            for entry in mirror.children {
                let parts = Array(Mirror(reflecting: entry.value).children)
                guard parts.count == 2, let module = unwrapped(parts[1].value) else { continue }
                pairs.append((String(describing: parts[0].value), module))
            }
            if value is any UnorderedDictionary { pairs.sort { $0.key < $1.key } }
            out += pairs.map { ("\(name)['\($0.key)']", $0.module) }
        default:
            break
        }
    }

    /// A module, possibly inside an optional.
    /// A module, or the module a typed wrapper (``TypedPredict``) holds, found at the wrapper's path.
    private static func unwrappedModule(_ value: Any) -> (any Module)? {
        (value as? any Module) ?? (value as? any WrapsModule)?.wrappedModule
    }

    private static func unwrapped(_ value: Any) -> (any Module)? {
        if let module = unwrappedModule(value) { return module }
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional, let wrapped = mirror.children.first else { return nil }
        return unwrapped(wrapped.value)
    }
}

/// Dictionaries whose iteration order is not meaningful; their modules are listed by key.
private protocol UnorderedDictionary {}
extension Dictionary: UnorderedDictionary {}
