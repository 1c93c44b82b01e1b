/// A typed settings key: its DSPy name, its default, and the rule a value must meet. Read with
/// `settings[.numThreads]`; set with `try configure(.numThreads(4))` or
/// `try await context(.temperature(0.2)) { ... }`. Keys are declared beside their feature and
/// listed once in ``Settings/registeredKeys``; any other name is a custom key, kept as it is.
public struct SettingKey<Value: Sendable>: Sendable {
    /// The name the key has in DSPy and in the shell (`num_threads`).
    public let name: String
    /// One line on what the key does (`%help num_threads` in the shell).
    public let summary: String
    let defaultValue: @Sendable () -> Value
    /// False for keys that are absent until set (the LM knobs): they have no line in
    /// ``Settings/effective()`` until a scope or `configure` sets them.
    let isListedByDefault: Bool
    /// The rule, built only when a value is checked: keys are built on every read
    /// (`settings[.numThreads]`), and a rule that captures its range would allocate each time.
    let makeCheck: @Sendable () -> SettingCheck
    let opening: (@Sendable (any Sendable, _ enclosing: Settings?) -> any Sendable)?
    /// The value a call such as `.numThreads(4)` gives the key, for `configure` and `context`.
    let assignment: (any Sendable)?

    /// A key whose values are checked by `check`, which returns the value to store or throws
    /// ``SettingValueError``. `opening`, when given, turns a checked value into what is stored
    /// (the token budget opens a budget inside the enclosing scope's; `nil` for `configure`).
    package init(
        _ name: String, summary: String, default defaultValue: @escaping @Sendable () -> Value,
        listed isListedByDefault: Bool = true,
        check: @autoclosure @escaping @Sendable () -> SettingCheck,
        opening: (@Sendable (any Sendable, _ enclosing: Settings?) -> any Sendable)? = nil
    ) {
        self.name = name
        self.summary = summary
        self.defaultValue = defaultValue
        self.isListedByDefault = isListedByDefault
        self.makeCheck = check
        self.opening = opening
        self.assignment = nil
    }

    private init(_ key: SettingKey, assigning value: any Sendable) {
        name = key.name
        summary = key.summary
        defaultValue = key.defaultValue
        isListedByDefault = key.isListedByDefault
        makeCheck = key.makeCheck
        opening = key.opening
        assignment = value
    }

    /// This key with a value to set: `try configure(.numThreads(4))`.
    public func callAsFunction(_ value: Value) -> SettingKey {
        SettingKey(self, assigning: (value as? OptionalSetting)?.isNone == true ? NoneSetting() : value)
    }

    /// The key with a value of another type that its check accepts (a limit for the budget).
    package func assigning(raw value: any Sendable) -> SettingKey { SettingKey(self, assigning: value) }

    /// The type-erased form that the registry and the string-keyed entry points use.
    public var erased: AnySettingKey {
        let makeDefault = defaultValue
        return AnySettingKey(
            name: name, summary: summary, isListedByDefault: isListedByDefault,
            makeDefault: {
                let d = makeDefault(); return (d as? OptionalSetting)?.isNone == true ? NoneSetting() : d
            },
            check: makeCheck(), opening: opening)
    }
}

/// An optional as a settings value: `nil` is stored as ``NoneSetting`` (Python's `None`), so that
/// `.lm(nil)` in a scope hides an LM set outside it.
protocol OptionalSetting { var isNone: Bool { get } }

extension Optional: OptionalSetting {
    var isNone: Bool { self == nil }
}

/// A ``SettingKey`` without its value type: what the registry holds and string keys are checked by.
public struct AnySettingKey: Sendable {
    public let name: String
    public let summary: String
    let isListedByDefault: Bool
    let makeDefault: @Sendable () -> any Sendable
    let check: SettingCheck
    let opening: (@Sendable (any Sendable, _ enclosing: Settings?) -> any Sendable)?
}

/// A value that does not meet its key's rule: `configure`, `context` and `%push` refuse it
/// instead of storing it (a wrong value is never replaced by a default behind the user's back).
public struct SettingValueError: DSPyError {
    /// The key's name.
    public let key: String
    /// What the key takes ("a whole number of at least 1").
    public let expected: String
    /// The refused value as text.
    public let got: String

    public var summary: String { "\(key) must be \(expected), got \(got)" }
    public var hints: [String] { [] }
    public var code: String { "invalidSetting" }
}

// MARK: Rules shared by the keys

/// The rule a key's values meet: it returns the value to store (a whole `4.0` becomes `4`) or
/// throws ``SettingValueError`` naming the key.
package struct SettingCheck: Sendable {
    let run: @Sendable (_ value: any Sendable, _ key: String) throws -> any Sendable

    package init(_ run: @escaping @Sendable (_ value: any Sendable, _ key: String) throws -> any Sendable) { self.run = run }

    static func describe(_ v: any Sendable) -> String {
        switch v {
        case let s as String: return "\"\(s)\""
        case is NoneSetting: return "None"
        case let b as Bool: return b ? "True" : "False"
        default: return String(describing: v)
        }
    }

    /// A whole number in `range` (a whole float such as `4.0` is taken as `4`).
    package static func integer(in range: ClosedRange<Int>, _ expected: String, optional: Bool = false) -> SettingCheck {
        SettingCheck { v, key in
            if optional, v is NoneSetting { return v }
            let n: Int?
            switch v {
            case is Bool: n = nil
            case let i as Int: n = i
            case let d as Double where d.rounded() == d && abs(d) < 1e15: n = Int(d)
            default: n = nil
            }
            guard let n, range.contains(n) else { throw SettingValueError(key: key, expected: expected, got: describe(v)) }
            return n
        }
    }

    /// `True` or `False`.
    package static let boolean = SettingCheck { v, key in
        guard let b = v as? Bool else { throw SettingValueError(key: key, expected: "True or False", got: describe(v)) }
        return b
    }

    /// A finite number (an integer is taken as a float) within `range`.
    package static func number(in range: ClosedRange<Double>, _ expected: String) -> SettingCheck {
        SettingCheck { v, key in
            let d: Double?
            switch v {
            case is Bool: d = nil
            case let x as Double: d = x
            case let i as Int: d = Double(i)
            default: d = nil
            }
            guard let d, d.isFinite, range.contains(d) else { throw SettingValueError(key: key, expected: expected, got: describe(v)) }
            return d
        }
    }

    /// A value of type `T`, or `None` unless `optional` is false.
    package static func instance<T: Sendable>(of: T.Type, _ expected: String, optional: Bool = true) -> SettingCheck {
        SettingCheck { v, key in
            if optional, v is NoneSetting { return v }
            guard let value = v as? T else { throw SettingValueError(key: key, expected: expected, got: describe(v)) }
            return value
        }
    }

    /// Anything (keys whose values the library only carries along).
    package static let any = SettingCheck { v, _ in v }
}

// MARK: Reading and writing by key

extension Settings {
    /// The effective value of `key`: the innermost scope that set it, else `configure`, else
    /// the key's default.
    public subscript<Value>(key: SettingKey<Value>) -> Value {
        if let raw = value(key.name), let v = raw as? Value { return v }
        return key.defaultValue()
    }

    /// The same read for a key whose values are optional: casting a stored value to its wrapped
    /// type is about four times cheaper than casting it to the optional, and most of the keys an
    /// LM call reads (`lm`, `adapter`, `call_log`, `usage_tracker`, ...) are optional.
    public subscript<Wrapped>(key: SettingKey<Wrapped?>) -> Wrapped? {
        if let raw = value(key.name), let v = raw as? Wrapped { return v }
        return key.defaultValue()
    }

    /// The registered key called `name`, if there is one.
    public static func key(named name: String) -> AnySettingKey? { registry[name] }

    /// `value` checked against the registered key `name`; a name that is not registered is a
    /// custom key and is kept as it is. Throws ``SettingValueError``.
    public static func checked(_ name: String, _ value: any Sendable) throws -> any Sendable {
        guard let key = registry[name] else { return value }
        return try key.check.run(value, name)
    }

    /// Checked values turned into what a layer stores (a budget limit becomes a budget inside
    /// `enclosing`'s, or a top-level one for `configure`).
    static func stored(_ values: [String: any Sendable], enclosing: Settings?) throws -> [String: any Sendable] {
        var out: [String: any Sendable] = [:]
        for (k, v) in values {
            let checked = try checked(k, v)
            out[k] = registry[k]?.opening.map { $0(checked, enclosing) } ?? checked
        }
        return out
    }

    static func values<each V>(_ keys: repeat SettingKey<each V>) throws -> [String: any Sendable] {
        var out: [String: any Sendable] = [:]
        for key in repeat each keys {
            guard let v = key.assignment else {
                throw SettingValueError(key: key.name, expected: "a value, as in .\(key.name)(...)", got: "the key alone")
            }
            out[key.name] = v
        }
        return out
    }
}

/// Sets process-wide defaults (DSPy's `dspy.configure`): `try configure(.lm(lm), .trackUsage(true))`.
/// Keys not mentioned are unchanged. Only the owning task or thread may call it.
public func configure<each V>(_ keys: repeat SettingKey<each V>) throws {
    try Settings.current.configure(Settings.values(repeat each keys))
}

/// Runs `body` with scoped overrides of the shared settings (DSPy's `with dspy.context(...)`):
/// `try await context(.temperature(0.2), .numThreads(4)) { ... }`.
public func context<each V, R>(
    _ keys: repeat SettingKey<each V>, isolation: isolated (any Actor)? = #isolation,
    body: () async throws -> R
) async throws -> R {
    try await Settings.current.context(Settings.values(repeat each keys), isolation: isolation, body)
}

/// Runs the synchronous `body` with scoped overrides of the shared settings.
public func context<each V, R>(_ keys: repeat SettingKey<each V>, body: () throws -> R) throws -> R {
    try Settings.current.context(Settings.values(repeat each keys), body)
}

/// The shared settings (DSPy's `dspy.settings`).
public var settings: Settings { Settings.current }
