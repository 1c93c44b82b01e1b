/// The settings keys that modules and tools read, declared beside them.
extension SettingKey where Value == [any Module]? {
    /// The modules currently executing, outermost first (`caller_modules`; `None` outside any
    /// module, as in DSPy); every module call opens a scope that appends itself.
    public static var callerModules: SettingKey {
        SettingKey(
            "caller_modules", summary: "the modules whose calls are running, outermost first",
            default: { nil }, check: .instance(of: [any Module].self, "a list of modules"))
    }
}

extension SettingKey where Value == Predict? {
    /// The predictor whose LM call is running (`caller_predict`), which streaming listeners match.
    public static var callerPredict: SettingKey {
        SettingKey(
            "caller_predict", summary: "the predictor whose LM call is running (set by Predict)",
            default: { nil }, check: .instance(of: Predict.self, "a Predict"))
    }
}

extension SettingKey where Value == Int {
    /// Rollout/branch index (`branch_idx`).
    public static var branchIndex: SettingKey {
        SettingKey(
            "branch_idx", summary: "a rollout/branch index passed along with calls (default 0)",
            default: { 0 }, check: .integer(in: Int.min...Int.max, "a whole number"))
    }
}

extension SettingKey where Value == Bool {
    /// Allow calling async tools synchronously (`allow_tool_async_sync_conversion`).
    public static var allowToolAsyncSyncConversion: SettingKey {
        SettingKey(
            "allow_tool_async_sync_conversion", summary: "True: an async tool may be called synchronously",
            default: { false }, check: .boolean)
    }

    /// Warn when inputs do not match declared types (`warn_on_type_mismatch`).
    public static var warnOnTypeMismatch: SettingKey {
        SettingKey(
            "warn_on_type_mismatch", summary: "warn when an input's value does not match its declared type (default True)",
            default: { true }, check: .boolean)
    }
}

extension Settings {
    /// The modules currently executing, outermost first (`caller_modules`).
    public var callerModules: [any Module] { self[.callerModules] ?? [] }
    /// Rollout/branch index (`branch_idx`).
    public var branchIndex: Int { self[.branchIndex] }
    /// Allow calling async tools synchronously (`allow_tool_async_sync_conversion`).
    public var allowToolAsyncSyncConversion: Bool { self[.allowToolAsyncSyncConversion] }
    /// Warn when inputs do not match declared types (`warn_on_type_mismatch`).
    public var warnOnTypeMismatch: Bool { self[.warnOnTypeMismatch] }
}
