import Synchronization

/// An explicit "no value" for a settings key (Python's `None`), as opposed to "not set here".
public struct NoneSetting: Sendable, Hashable, CustomStringConvertible {
    public init() {}
    public var description: String { "None" }
}

/// Raised when `configure` is called from a task or thread that does not own the settings.
public struct SettingsOwnershipError: DSPyError {
    /// Where the refused call came from.
    public enum Kind: String, Sendable { case otherTask, otherThread }
    public let kind: Kind

    init(_ kind: Kind) { self.kind = kind }

    public var summary: String {
        switch kind {
        case .otherThread:
            return
                "DSPy settings can only be changed by the thread that initially configured it. Use `context(...)` to override settings in other threads."
        case .otherTask:
            return
                "configure(...) can only be called from the same async task that called it first. Please use `context(...)` in other async tasks instead."
        }
    }
    public var hints: [String] { [] }
    public var code: String { kind.rawValue }
}

/// Where the effective value of a key comes from.
public enum SettingOrigin: Sendable, Hashable, CustomStringConvertible {
    /// DSPy's built-in default.
    case `default`
    /// Written by `configure`.
    case configure
    /// Set by the `context` scope at this nesting depth (1 = outermost).
    case scope(Int)

    public var description: String {
        switch self {
        case .default: return "default"
        case .configure: return "configure"
        case .scope(let n): return "scope \(n)"
        }
    }
}

/// One key of ``Settings/effective()``: its value and the layer that set it.
public struct EffectiveSetting: Sendable {
    public let key: String
    public let value: any Sendable
    public let origin: SettingOrigin
}

/// DSPy's settings: a global layer written by ``configure(_:)`` and a per-task override layer
/// bound by ``context(_:_:)``. Every read checks the override layer, then the global layer.
///
/// The override layer holds only the keys a scope set, so a `configure` made while a scope is
/// open is visible inside it for keys the scope did not override (Python DSPy snapshots the whole
/// global dictionary on entry instead).
public final class Settings: Sendable {
    /// The process-wide settings that the free functions `configure(...)` and `context(...)` use.
    public static let shared = Settings()

    /// The settings in effect for this task: the instance bound with ``bind(isolation:_:)`` by this
    /// task or an ancestor, else ``shared``. The library reads settings through this.
    public static var current: Settings { bound ?? shared }

    @TaskLocal static var bound: Settings?

    /// Makes this instance ``current`` for `body` and every task it starts, so an embedded
    /// session (such as the shell, or a test) keeps its own `configure` and scopes.
    public func bind<R>(isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> R) async rethrows -> R {
        try await Settings.$bound.withValue(self, operation: body, isolation: isolation)
    }

    /// The synchronous form of ``bind(isolation:_:)``.
    public func bind<R>(_ body: () throws -> R) rethrows -> R {
        try Settings.$bound.withValue(self, operation: body)
    }

    private static let nextID = Atomic<Int>(0)

    private struct Global {
        var values: [String: any Sendable]
        var configured: Set<String> = []
        var owner: ConfigureOwner?
        var allowsAnyTask = false
    }

    /// The keys a chain of nested scopes of one `Settings` instance set, merged (inner wins),
    /// with the depth that set each. A short list, not a dictionary: scopes set a few keys, every
    /// settings read looks here first, and comparing a few names is cheaper than hashing one.
    struct Layer: Sendable {
        /// The `Settings` instance whose scopes these are.
        let owner: Int
        private(set) var entries: [(key: String, value: any Sendable, depth: Int)] = []
        private(set) var depth = 0

        init(owner: Int) { self.owner = owner }

        subscript(key: String) -> (any Sendable)? { entries.first { $0.key == key }?.value }

        /// One scope more, setting `values`.
        mutating func push(_ values: [String: any Sendable]) {
            depth += 1
            for (key, value) in values {
                if let i = entries.firstIndex(where: { $0.key == key }) {
                    entries[i] = (key, value, depth)
                } else {
                    entries.append((key, value, depth))
                }
            }
        }
    }

    /// Per-task override layers, one for each `Settings` instance that has a scope open in the task
    /// (almost always one).
    @TaskLocal static var layers: [Layer] = []

    /// This instance's layer in the current task.
    private var layer: Layer? {
        for layer in Settings.layers where layer.owner == id { return layer }
        return nil
    }

    let id: Int
    private let global: Locked<Global>

    /// A fresh, independent settings object holding DSPy's defaults (useful in tests).
    public init() {
        id = Settings.nextID.add(1, ordering: .relaxed).newValue
        global = Locked(Global(values: Settings.makeDefaults()))
    }

    // MARK: Reads

    /// The effective value of `key` (override layer, then global), or `nil` when neither has it.
    public func value(_ key: String) -> (any Sendable)? {
        if let v = layer?[key] { return v }
        return global.withLock { $0.values[key] }
    }

    /// The effective value of `key` as `T`; `nil` when absent, `None`, or of another type.
    public func get<T>(_ key: String, as type: T.Type = T.self) -> T? {
        value(key) as? T
    }

    /// The effective values of those of `names` that are set, in `names`' order: one read of
    /// each layer, for the per-call knobs.
    func values(of names: [String]) -> [(String, any Sendable)] {
        let layer = self.layer
        return global.withLock { g in
            names.compactMap { name in (layer?[name] ?? g.values[name]).map { (name, $0) } }
        }
    }

    /// True when the key is set in either layer.
    public func contains(_ key: String) -> Bool { value(key) != nil }

    /// True when the current task's override layer sets `key` (DSPy checks this for
    /// `usage_tracker` before opening a new tracker).
    public func isOverridden(_ key: String) -> Bool { layer?[key] != nil }

    /// The current number of nested `context` scopes in this task.
    public var scopeDepth: Int { layer?.depth ?? 0 }

    /// Every key's effective value and the layer that set it, sorted with DSPy's keys first.
    public func effective() -> [EffectiveSetting] {
        let scoped = layer?.entries ?? []
        let (values, configured) = global.withLock { ($0.values, $0.configured) }
        var keys = Settings.defaultKeys
        let extra = Set(values.keys).union(scoped.map(\.key)).subtracting(keys).sorted()
        keys += extra
        return keys.compactMap { key in
            if let e = scoped.first(where: { $0.key == key }) { return EffectiveSetting(key: key, value: e.value, origin: .scope(e.depth)) }
            guard let v = values[key] else { return nil }
            return EffectiveSetting(key: key, value: v, origin: configured.contains(key) ? .configure : .default)
        }
    }

    // MARK: Writes

    /// When true, `configure` may be called from any task or thread (the shell's equivalent of
    /// DSPy's IPython exception). Off by default.
    public var allowsConfigureFromAnyTask: Bool {
        get { global.withLock { $0.allowsAnyTask } }
        set { global.withLock { $0.allowsAnyTask = newValue } }
    }

    /// Forgets which task or thread owns `configure`, so the next caller becomes the owner.
    /// For tests, and for programs that hand configuration over to another task on purpose.
    public func resetOwner() {
        let previous = global.withLock { g in
            defer { g.owner = nil }; return g.owner
        }
        withExtendedLifetime(previous) {}  // released here, outside the lock
    }

    /// Sets keys in the global layer (unmentioned keys are untouched). Only the task (or, outside
    /// tasks, the thread) that first called `configure` may call it again; others must use
    /// ``context(_:_:)``.
    /// Values of registered keys are checked first (``SettingValueError``; nothing is set then).
    public func configure(_ values: [String: any Sendable]) throws {
        let stored = try Settings.stored(values, enclosing: nil)
        let caller = ConfigureCaller.current()
        try global.withLock { g in
            if !g.allowsAnyTask {
                if let owner = g.owner {
                    if !owner.matches(caller) { throw SettingsOwnershipError(caller.isTask ? .otherTask : .otherThread) }
                } else {
                    g.owner = ConfigureOwner(caller)
                }
            }
            for (k, v) in stored {
                g.values[k] = v
                g.configured.insert(k)
            }
        }
    }

    /// Restores DSPy's defaults in the global layer and forgets the owner. Open scopes keep
    /// their overrides.
    public func reset() {
        let previous = global.withLock { g in
            defer {
                g.values = Settings.makeDefaults()
                g.configured = []
                g.owner = nil
            }
            return g.owner
        }
        withExtendedLifetime(previous) {}  // released here, outside the lock
    }

    // MARK: Scopes

    /// The layers with a scope of `values` (already checked) pushed for this instance.
    func pushed(_ values: [String: any Sendable]) -> [Layer] {
        var all = Settings.layers
        if let i = all.firstIndex(where: { $0.owner == id }) {
            all[i].push(values)
        } else {
            var layer = Layer(owner: id)
            layer.push(values)
            all.append(layer)
        }
        return all
    }

    /// `values` checked against their keys and made ready for a scope of this task (a budget
    /// limit opens a budget inside the current one).
    func checkedScope(_ values: [String: any Sendable]) throws -> [String: any Sendable] {
        try Settings.stored(values, enclosing: self)
    }

    /// Runs `body` with `values` overriding the settings, then restores the outer state (also
    /// when `body` throws). Scopes nest; any task or thread may open one; child tasks inherit it.
    /// Values of registered keys are checked first (``SettingValueError``; `body` does not run).
    public func context<R>(_ values: [String: any Sendable], _ body: () throws -> R) throws -> R {
        try Settings.$layers.withValue(pushed(checkedScope(values)), operation: body)
    }

    /// Runs the async `body` with `values` overriding the settings; see the synchronous form.
    public func context<R>(
        _ values: [String: any Sendable], isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> R
    ) async throws -> R {
        try await Settings.$layers.withValue(pushed(checkedScope(values)), operation: body, isolation: isolation)
    }

    /// The library's own scopes (call stacks, trackers, streams), whose values it made itself:
    /// no checks, and `rethrows`.
    package func withOverrides<R>(_ values: [String: any Sendable], _ body: () throws -> R) rethrows -> R {
        try Settings.$layers.withValue(pushed(values), operation: body)
    }

    /// The async form of ``withOverrides(_:_:)``.
    package func withOverrides<R>(
        _ values: [String: any Sendable], isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> R
    ) async rethrows -> R {
        try await Settings.$layers.withValue(pushed(values), operation: body, isolation: isolation)
    }

    /// Captures this task's overrides so they can be re-applied where task-locals do not flow:
    /// `Task.detached`, threads and dispatch queues.
    public func capture() -> SettingsSnapshot {
        SettingsSnapshot(
            layers: Settings.layers, activeCallID: CallLineage.activeCallID, instance: Settings.bound, tally: CallTally.current,
            batchRun: ProviderBatchRun.current)
    }
}

/// Overrides captured with ``Settings/capture()``, to re-apply in a thread or detached task.
/// The callback lineage (the active call id) travels with it, so nested calls keep their parent.
public struct SettingsSnapshot: Sendable {
    let layers: [Settings.Layer]
    let activeCallID: String?
    let instance: Settings?
    /// The call tally open where it was captured.
    let tally: CallTally?
    /// The provider batch run the captured work is an item of, whose LM calls it collects.
    let batchRun: ProviderBatchRun?

    /// The same overrides, with calls counted in `tally`.
    public func counting(in tally: CallTally) -> SettingsSnapshot {
        SettingsSnapshot(layers: layers, activeCallID: activeCallID, instance: instance, tally: tally, batchRun: batchRun)
    }

    /// Runs `body` with the captured overrides in effect.
    public func apply<R>(_ body: () throws -> R) rethrows -> R {
        try Settings.$bound.withValue(instance) {
            try Settings.$layers.withValue(layers) {
                try CallTally.$current.withValue(tally) {
                    try ProviderBatchRun.$current.withValue(batchRun) {
                        try CallLineage.$activeCallID.withValue(activeCallID, operation: body)
                    }
                }
            }
        }
    }

    /// Runs the async `body` with the captured overrides in effect.
    public func apply<R>(isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> R) async rethrows -> R {
        try await Settings.$bound.withValue(
            instance,
            operation: {
                try await Settings.$layers.withValue(
                    layers,
                    operation: {
                        try await CallTally.$current.withValue(
                            tally,
                            operation: {
                                try await ProviderBatchRun.$current.withValue(
                                    batchRun,
                                    operation: {
                                        try await CallLineage.$activeCallID.withValue(activeCallID, operation: body, isolation: isolation)
                                    }, isolation: isolation)
                            }, isolation: isolation)
                    }, isolation: isolation)
            }, isolation: isolation)
    }
}
