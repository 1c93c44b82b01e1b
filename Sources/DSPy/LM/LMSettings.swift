import OrderedCollections

extension SettingKey where Value == LM? {
    /// The LM that modules call when they have none of their own (`lm`).
    public static var lm: SettingKey {
        SettingKey(
            "lm", summary: "the LM that modules call when they have none of their own",
            default: { nil }, check: .instance(of: LM.self, "an LM, such as LM(\"openai/gpt-4o-mini\")"))
    }
}

// The LM knobs as settings: set in a scope or by `configure`, they are applied at call time on
// top of whichever LM makes the call (its own defaults below, the call's parameters above), so
// `configure(.lm(b))` inside `context(.temperature(0.5))` sends to `b` at temperature 0.5.

extension SettingKey where Value == Double? {
    /// The sampling temperature of every LM call in the scope (`temperature`).
    public static var temperature: SettingKey {
        SettingKey(
            "temperature", summary: "the sampling temperature of the LM calls in the scope (applied to whichever LM calls)",
            default: { nil }, listed: false, check: .optionalNumber(in: 0...Double.greatestFiniteMagnitude, "a number, 0 or more"))
    }

    /// Nucleus sampling for every LM call in the scope (`top_p`).
    public static var topP: SettingKey {
        SettingKey(
            "top_p", summary: "nucleus sampling for the LM calls in the scope (0 to 1)",
            default: { nil }, listed: false, check: .optionalNumber(in: 0...1, "a number from 0 to 1"))
    }
}

extension SettingKey where Value == Int? {
    /// The most tokens each LM call in the scope may generate (`max_tokens`).
    public static var maxTokens: SettingKey {
        SettingKey(
            "max_tokens", summary: "the most tokens each LM call in the scope may generate",
            default: { nil }, listed: false, check: .integer(in: 1...Int.max, "a whole number of tokens, at least 1", optional: true))
    }

    /// Completions per LM call in the scope (`n`).
    public static var n: SettingKey {
        SettingKey(
            "n", summary: "completions per LM call in the scope",
            default: { nil }, listed: false,
            check: .integer(in: 1...LMRequest.maxCompletions, "a whole number from 1 to \(LMRequest.maxCompletions)", optional: true))
    }
}

extension SettingKey where Value == DSPy.Value? {
    /// Stop sequences for every LM call in the scope (`stop`): a string or a list of strings.
    public static var stop: SettingKey {
        SettingKey(
            "stop", summary: "stop sequences for the LM calls in the scope (a string or a list of strings)",
            default: { nil }, listed: false,
            check: SettingCheck { v, key in
                switch v {
                case is NoneSetting: return v
                case let s as String: return DSPy.Value.string(s)
                case let list as [String]: return DSPy.Value.array(list.map(DSPy.Value.string))
                case let value as DSPy.Value:
                    if case .string = value { return value }
                    if case .array(let items) = value, items.allSatisfy({ $0.stringValue != nil }) { return value }
                default: break
                }
                throw SettingValueError(key: key, expected: "a string or a list of strings", got: SettingCheck.describe(v))
            })
    }
}

extension SettingCheck {
    /// A number within `range`, or `None`.
    static func optionalNumber(in range: ClosedRange<Double>, _ expected: String) -> SettingCheck {
        SettingCheck { v, key in v is NoneSetting ? v : try number(in: range, expected).run(v, key) }
    }
}

extension LM {
    /// The knobs a scope or `configure` may set for every LM call (`temperature`, `max_tokens`,
    /// `top_p`, `n`, `stop`), applied at call time on top of the calling LM's own.
    public static let knobKeys: [AnySettingKey] = [
        SettingKey.temperature.erased, SettingKey.maxTokens.erased, SettingKey.topP.erased, SettingKey.n.erased, SettingKey.stop.erased,
    ]

    static let knobNames = knobKeys.map(\.name)

    /// The request parameters the knobs in effect add (`None` becomes `null`: not sent).
    static func knobParameters(_ settings: Settings) -> [(String, Value)] {
        settings.values(of: knobNames).map { name, v in
            switch v {
            case let d as Double: return (name, .double(d))
            case let i as Int: return (name, .int(i))
            case let value as Value: return (name, value)
            default: return (name, .null)
            }
        }
    }
}

extension Settings {
    /// The default LM for `Predict` (`lm`).
    public var lm: LM? { self[.lm] }
}
