import DSPy
import Foundation
import OrderedCollections
import PythonInterpreter

/// The overrides a `context(...)` (or `%push`) describes: applied by `with` or pushed.
final class ScopeObject: PyInstance, ScopedContextManager, @unchecked Sendable {
    // Sendable proof: immutable after init (the values are Sendable library values).
    let values: [String: any Sendable]
    let text: String
    /// The tracker a `track_usage()` scope binds (given to `as`).
    let tracker: UsageTracker?

    init(values: [String: any Sendable], text: String, tracker: UsageTracker? = nil) {
        self.values = values
        self.text = text
        self.tracker = tracker
        super.init(cls: DSPyTypes.scope)
    }

    func withScope(_ ctx: ExecContext, _ body: (PyValue) throws -> Void) throws {
        try Settings.current.context(values) {
            try body(tracker.map { .object(UsageTrackerObject($0)) } ?? .none)
        }
    }
}

enum SettingsBinding {
    /// LM knobs that `context`, `%push` and `configure` set for every LM call in their reach.
    static let lmKnobs = LM.knobKeys.map(\.name)

    /// Keys DSPy users set; internal keys (call stack, trackers) are left out of completion.
    static var userKeys: [String] {
        Settings.defaultKeys.filter { !["usage_tracker", "caller_predict", "caller_modules", "send_stream", "trace"].contains($0) }
            + ["max_tokens_budget"] + lmKnobs
    }

    /// Every key the shell knows: DSPy's, the library's own, and the LM knobs.
    static var knownKeys: [String] { Settings.registeredKeys.map(\.name) }

    /// A note for a key that is not a setting but is one typo away from one (DSPy keeps any key
    /// as a custom one, and so does the shell; with no close name nothing is said).
    static func unknownKeyNote(_ key: String) -> String? {
        guard !knownKeys.contains(key), let close = closestName(key, in: knownKeys) else { return nil }
        return "note: '\(key)' is not a DSPy setting — did you mean \(close)? (kept as a custom key)\n"
    }

    /// Keyword arguments as settings values, each checked against its key (a wrong value is a
    /// ValueError naming the key and what it takes). LM knobs stay knobs: they apply to whichever
    /// LM makes a call inside the scope; a token budget opens when the scope is entered.
    static func values(_ ctx: ExecContext, _ keywords: [(name: String, value: PyValue)]) throws -> [String: any Sendable] {
        var values: [String: any Sendable] = [:]
        for (k, v) in keywords {
            let value = try Convert.setting(ctx, key: k, v)
            do { values[k] = try Settings.checked(k, value) } catch let e as SettingValueError {
                throw PyError.value(e.summary)
            }
            if let note = unknownKeyNote(k) { try ctx.shell.writeError(note) }
        }
        return values
    }

    static func configure(_ ctx: ExecContext, _ a: Args) throws -> PyValue {
        guard a.positional.isEmpty else { throw PyError.type("configure() takes keyword arguments only, e.g. dspy.configure(lm=dspy.LM(\"dummy\"))") }
        let v = try values(ctx, a.keywords)
        do { try Settings.current.configure(v) } catch { throw DSPyErrors.python(error) }
        return .none
    }

    static func context(_ ctx: ExecContext, _ a: Args) throws -> PyValue {
        guard a.positional.isEmpty else { throw PyError.type("context() takes keyword arguments only, e.g. dspy.context(lm=dspy.LM(\"dummy\"))") }
        let v = try values(ctx, a.keywords)
        let text = try a.keywords.map { "\($0.name)=\(Redaction.display(try ctx.repr($0.value), key: $0.name))" }.joined(separator: ", ")
        return .object(ScopeObject(values: v, text: text))
    }

    static func installScope(_ t: PyType) {
        t.doc = "A settings scope: with dspy.context(lm=..., temperature=...): overrides these keys inside the block."
        t.method("__repr__") { _, me, _ in .str("context(\((me.as(ScopeObject.self))?.text ?? ""))") }
    }

    static func installUsageTracker(_ t: PyType) {
        t.doc = "Token usage per model, collected by `with dspy.track_usage() as t:`."
        t.method(
            "get_total_tokens", "get_total_tokens()", doc: "Total tokens per model: {model: {prompt_tokens, completion_tokens, total_tokens, ...}}."
        ) { _, me, _ in
            guard let tr = me.as(UsageTrackerObject.self)?.tracker else { return .none }
            return RecordObject.usageDict(tr.totals)
        }
        t.property(
            "usage_data",
            get: { _, me in
                guard let tr = me.as(UsageTrackerObject.self)?.tracker else { return .none }
                let d = PyDict()
                for (model, u) in tr.totals.sorted(by: { $0.key < $1.key }) { d.setString(model, .object(PyList([Convert.python(u.value)]))) }
                return .object(d)
            })
        t.method("__repr__") { _, me, _ in
            let total = me.as(UsageTrackerObject.self)?.tracker.totals.values.reduce(0) { $0 + $1.totalTokens } ?? 0
            return .str("<UsageTracker: \(total) tokens>")
        }
    }

    static func installTokenBudget(_ t: PyType) {
        t.doc = "A scope's token budget (max_tokens_budget=N): calls fail with TokenBudgetExceeded once it is spent."
        @Sendable func budget(_ me: PyValue) throws -> TokenBudget {
            guard let b = me.as(TokenBudgetObject.self)?.payload else { throw PyError.type("expected a TokenBudget") }
            return b
        }
        t.property("limit", get: { _, me in .int(try budget(me).limit) })
        t.property("spent", get: { _, me in .int(try budget(me).spent) })
        t.property("remaining", get: { _, me in .int(try budget(me).remaining) })
        t.method("__repr__") { _, me, _ in .str(try budget(me).description) }
    }

    /// The effective setting `name` as Python sees it, or nil when no such setting exists.
    static func setting(_ name: String) -> PyValue? {
        let settings = Settings.current
        guard settings.contains(name) || Settings.key(named: name) != nil else { return nil }
        if name == "trace" {
            guard let trace = settings.trace else { return .object(PyList()) }
            return .object(PyList((0..<trace.count).map { _ in .none }))
        }
        return Convert.python(setting: settings.value(name))
    }

    static func installSettings(_ t: PyType) {
        t.doc = "DSPy's settings: dspy.settings.lm, .num_threads, ... (read); configure(...) and context(...) change them."
        t.native.getAttribute = { _, _, name in setting(name) }
        t.native.setAttribute = { _, _, name, _ in
            throw PyError.attribute("settings are read-only here: use dspy.configure(\(name)=...) or with dspy.context(\(name)=...):")
        }
        t.property(
            "config", doc: "Every effective setting as a dict.",
            get: { _, _ in
                let d = PyDict()
                for e in Settings.current.effective() { d.setString(e.key, Convert.python(setting: e.value)) }
                return .object(d)
            })
        t.method("configure", "configure(**kwargs)", doc: "Set process-wide defaults.") { ctx, _, a in try configure(ctx, a) }
        t.method("context", "context(**kwargs)", doc: "A scoped override for a with block.") { ctx, _, a in try context(ctx, a) }
        t.method("copy", "copy()", doc: "The effective settings as a dict.") { _, _, _ in
            let d = PyDict()
            for e in Settings.current.effective() { d.setString(e.key, Convert.python(setting: e.value)) }
            return .object(d)
        }
        t.method("get", "get(key, default=None)") { ctx, _, a in
            try a.check("get", min: 1, max: 2)
            let key = try ctx.strArg(a[0], "get")
            guard Settings.current.contains(key) else { return a.count > 1 ? a[1] : .none }
            return Convert.python(setting: Settings.current.value(key))
        }
        t.method("__getitem__", "settings[key]", doc: "A setting by name, as dspy.settings.KEY reads it.") { ctx, _, a in
            try a.check("__getitem__", min: 1, max: 1)
            let key = try ctx.strArg(a[0], "__getitem__")
            guard let value = setting(key) else {
                throw PyError.attribute("'Settings' object has no attribute '\(key)'")
            }
            return value
        }
        t.method("__contains__", "key in settings") { ctx, _, a in
            try a.check("__contains__", min: 1, max: 1)
            let key = try ctx.strArg(a[0], "__contains__")
            return .bool(Settings.current.contains(key) || Settings.defaultKeys.contains(key))
        }
        t.method("save", "save(path, exclude_keys=None)", doc: "Save the settings to a JSON file (never API keys).") { ctx, _, a in
            let p = try a.bind("save", ["path", "exclude_keys"], required: 1)
            let path = try ctx.strArg(p[0] ?? .none, "save")
            let exclude = Set(try ctx.optional(p[1]).map { try ctx.iterateToArray($0).map { try ctx.str($0) } } ?? [])
            do {
                let report = try Settings.current.save(to: (path as NSString).expandingTildeInPath, excludeKeys: exclude)
                if !report.skippedKeys.isEmpty {
                    ctx.interpreter.hooks.writeError("note: not saved (no file form): \(report.skippedKeys.joined(separator: ", "))\n")
                }
            } catch {
                throw DSPyErrors.python(error)
            }
            return .none
        }
        t.method("__repr__") { _, _, _ in .str("<dspy.settings: dspy.settings.KEY reads a setting; %settings lists them>") }
    }

    static func loadSettings(_ ctx: ExecContext, _ a: Args) throws -> PyValue {
        let p = try a.bind("load_settings", ["path", "allow_pickle", "allow_unsafe_lm_state"], required: 1)
        let path = try ctx.strArg(p[0] ?? .none, "load_settings")
        let allowBase = try p[2].map { try ctx.truthy($0) } ?? false
        do {
            let values = try Settings.load(from: (path as NSString).expandingTildeInPath, allowAPIBase: allowBase)
            let d = PyDict()
            for (k, v) in values.sorted(by: { $0.key < $1.key }) { d.setString(k, Convert.python(setting: v)) }
            return .object(d)
        } catch {
            throw DSPyErrors.python(error)
        }
    }

    static func trackUsage(_ ctx: ExecContext, _ a: Args) throws -> PyValue {
        try a.check("track_usage", min: 0, max: 0)
        let tracker = UsageTracker(parent: Settings.current.usageTracker)
        return .object(ScopeObject(values: ["usage_tracker": tracker], text: "usage_tracker=<new>", tracker: tracker))
    }

    static func configureCache(_ ctx: ExecContext, _ a: Args) throws -> PyValue {
        let p = try a.bind(
            "configure_cache", ["enable_disk_cache", "enable_memory_cache", "disk_cache_dir", "disk_size_limit_bytes", "memory_max_entries"])
        let shell = try ctx.shell
        do {
            try shell.responseCache.configure(
                enableMemory: try p[1].map { try ctx.truthy($0) } ?? true,
                enableDisk: try p[0].map { try ctx.truthy($0) },
                directory: try ctx.optional(p[2]).map { try ctx.strArg($0, "configure_cache") },
                diskSizeLimitBytes: try ctx.optional(p[3]).map { try ctx.intArg($0) },
                memoryMaxEntries: try ctx.optional(p[4]).map { try ctx.intArg($0) } ?? ResponseCache.defaultMemoryMaxEntries)
        } catch let e as ResponseCacheError {
            throw PyError.value(e.message)
        }
        return .none
    }

    static func inspectHistory(_ ctx: ExecContext, _ a: Args) throws -> PyValue {
        let p = try a.bind("inspect_history", ["n"])
        let n = try p[0].map { try ctx.intArg($0) } ?? 1
        let shell = try ctx.shell
        shell.write(DSPy.inspectHistory(n: n, color: shell.color))
        return .none
    }
}
