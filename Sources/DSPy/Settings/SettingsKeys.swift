/// The registered keys, once: DSPy's `DEFAULT_CONFIG` in DSPy's order, then the library's own.
/// Each key is declared beside its feature; a name not listed here is a custom key.
extension Settings {
    /// DSPy's `DEFAULT_CONFIG` keys, in DSPy's order.
    static let dspyKeys: [AnySettingKey] = [
        SettingKey.lm.erased, SettingKey.adapter.erased, SettingKey.rm.erased, SettingKey.branchIndex.erased,
        SettingKey.trace.erased, SettingKey.callbacks.erased, SettingKey.asyncMaxWorkers.erased,
        SettingKey.sendStream.erased, SettingKey.disableHistory.erased, SettingKey.trackUsage.erased,
        SettingKey.usageTracker.erased, SettingKey.callerPredict.erased, SettingKey.callerModules.erased,
        SettingKey.streamListeners.erased, SettingKey.provideTraceback.erased, SettingKey.numThreads.erased,
        SettingKey.maxErrors.erased, SettingKey.allowToolAsyncSyncConversion.erased, SettingKey.maxHistorySize.erased,
        SettingKey.maxTraceSize.erased, SettingKey.warnOnTypeMismatch.erased,
    ]

    /// Every registered key: DSPy's, then the library's (budget, call log, cassette, LM knobs).
    public static let registeredKeys: [AnySettingKey] =
        dspyKeys + [SettingKey.tokenBudget.erased, SettingKey.callLog.erased, SettingKey.cassette.erased, SettingKey.clock.erased] + LM.knobKeys

    static let registry: [String: AnySettingKey] = Dictionary(registeredKeys.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })

    /// DSPy's `DEFAULT_CONFIG` key names, in DSPy's order.
    public static let defaultKeys: [String] = dspyKeys.map(\.name)

    /// One line on what each registered key does, for help texts (`%help num_threads`).
    public static let keyDescriptions: [String: String] = registry.mapValues(\.summary)

    static func makeDefaults() -> [String: any Sendable] {
        var d: [String: any Sendable] = [:]
        for key in registeredKeys where key.isListedByDefault { d[key.name] = key.makeDefault() }
        return d
    }
}

extension SettingKey where Value == (any Sendable)? {
    /// A retrieval model (`rm`): DSPy's key, carried along but not used by this library.
    public static var rm: SettingKey {
        SettingKey("rm", summary: "a retrieval model (DSPy's; not used by this library)", default: { nil }, check: .any)
    }
}
