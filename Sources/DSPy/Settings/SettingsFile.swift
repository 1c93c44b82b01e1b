import Foundation
import OrderedCollections

/// A settings file that could not be written or read.
public struct SettingsFileError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// What ``Settings/save(to:excludeKeys:)`` wrote and what it left out (and why).
public struct SettingsSaveReport: Sendable {
    public let savedKeys: [String]
    /// Keys whose values are live objects (callbacks, trackers, the trace) with no JSON form.
    public let skippedKeys: [String]
}

extension Settings {
    static let fileFormat = "dspy-swift-settings"

    /// Writes the effective settings (global plus this task's scopes) as JSON, never an
    /// executable format. API keys are never written; an LM is saved as its model and knobs.
    /// Live objects (callbacks, usage trackers, the trace) are skipped and listed in the report.
    @discardableResult
    public func save(to path: String, excludeKeys: Set<String> = []) throws -> SettingsSaveReport {
        var out = OrderedDictionary<String, Value>()
        var saved: [String] = [], skipped: [String] = []
        for entry in effective() where !excludeKeys.contains(entry.key) {
            if let v = Settings.encode(entry.value) {
                out[entry.key] = v
                saved.append(entry.key)
            } else {
                skipped.append(entry.key)
            }
        }
        let doc: Value = ["format": .string(Settings.fileFormat), "version": 1, "settings": .object(out)]
        do {
            try Data((JSON.pythonDumps(doc, indent: 2) + "\n").utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw SettingsFileError(description: "Saving settings to \(path) failed: \(error.localizedDescription)")
        }
        return SettingsSaveReport(savedKeys: saved, skippedKeys: skipped)
    }

    /// Reads a file written by ``save(to:excludeKeys:)`` and returns the values, ready for
    /// `configure(_:)` or `context(_:_:)`. It does not apply them. An LM's `api_base` is
    /// dropped unless `allowAPIBase` is true, so a file cannot send your key to another server.
    public static func load(from path: String, allowAPIBase: Bool = false) throws -> [String: any Sendable] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw SettingsFileError(description: "Cannot read settings file \(path): \(error.localizedDescription)")
        }
        let doc: Value
        do { doc = try JSON.parse(text) } catch {
            throw SettingsFileError(description: "\(path) is not valid JSON (\(error)).")
        }
        guard doc["format"].stringValue == fileFormat, case .object(let values) = doc["settings"] else {
            throw SettingsFileError(description: "\(path) is not a DSPy settings file (expected \"format\": \"\(fileFormat)\").")
        }
        var result: [String: any Sendable] = [:]
        for (k, v) in values { result[k] = try decode(v, key: k, allowAPIBase: allowAPIBase) }
        return result
    }

    static func encode(_ value: any Sendable) -> Value? {
        switch value {
        case is NoneSetting: return .null
        case let v as Bool: return .bool(v)
        case let v as Int: return .int(v)
        case let v as Double: return .double(v)
        case let v as String: return .string(v)
        case let v as Value: return v
        case let lm as LM:
            guard lm.provider != .custom else { return nil }
            var o: OrderedDictionary<String, Value> = ["$type": "LM", "model": .string(lm.model), "kwargs": .object(lm.kwargs)]
            if let base = lm.apiBase, base != LM.defaultAPIBase(for: lm.provider) { o["api_base"] = .string(base) }
            o["num_retries"] = .int(lm.numRetries)
            o["cache"] = .bool(lm.cache)
            o["timeout"] = .double(lm.timeout.timeInterval)
            return .object(o)
        case let a as ChatAdapter: return ["$type": "ChatAdapter", "use_json_adapter_fallback": .bool(a.useJSONAdapterFallback)]
        case is JSONAdapter: return ["$type": "JSONAdapter"]
        default: return nil
        }
    }

    static func decode(_ v: Value, key: String, allowAPIBase: Bool) throws -> any Sendable {
        switch v {
        case .null: return NoneSetting()
        case .bool(let b): return b
        case .int(let i): return i
        case .double(let d): return d
        case .string(let s): return s
        case .array: return v
        case .object(let o):
            switch o["$type"]?.stringValue {
            case "LM":
                guard let model = o["model"]?.stringValue else {
                    throw SettingsFileError(description: "Settings key '\(key)': an LM entry needs a \"model\".")
                }
                let kwargs = o["kwargs"]?.objectValue ?? [:]
                var params = kwargs
                params.removeValue(forKey: "temperature")
                params.removeValue(forKey: "max_tokens")
                do {
                    return try LM(
                        model, temperature: kwargs["temperature"]?.doubleValue, maxTokens: kwargs["max_tokens"]?.intValue,
                        apiBase: allowAPIBase ? o["api_base"]?.stringValue : nil, numRetries: o["num_retries"]?.intValue ?? 3,
                        cache: o["cache"]?.boolValue,
                        timeout: try Duration(checkedSeconds: o["timeout"]?.doubleValue ?? 600, argument: "timeout"),
                        parameters: params)
                } catch let e as ArgumentRangeError {
                    throw SettingsFileError(description: "Settings key '\(key)': \(e).")
                }
            case "ChatAdapter": return ChatAdapter(useJSONAdapterFallback: o["use_json_adapter_fallback"]?.boolValue ?? true)
            case "JSONAdapter": return JSONAdapter()
            case let other?: throw SettingsFileError(description: "Settings key '\(key)': unknown type '\(other)'.")
            case nil: return v
            }
        }
    }
}
