import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Prints library log records as Python DSPy's logging does, one line each:
/// `2026/12/01 02:52:14 WARNING dspy.parallel: Execution cancelled ...`.
public struct ShellLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .warning
    let label: String
    let write: @Sendable (String) -> Void

    /// A handler for `label` that hands each finished line (with its newline) to `write`.
    public init(label: String, write: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        write(Self.line(date: Date(), level: event.level, label: label, message: "\(event.message)"))
    }

    /// Python logging's level names.
    static func levelName(_ level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: "DEBUG"
        case .info, .notice: "INFO"
        case .warning: "WARNING"
        case .error: "ERROR"
        case .critical: "CRITICAL"
        }
    }

    /// One record as DSPy's format (`%(asctime)s %(levelname)s %(name)s: %(message)s`, dates
    /// as `%Y/%m/%d %H:%M:%S` in local time); a message's line breaks become spaces.
    static func line(date: Date, level: Logger.Level, label: String, message: String) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        localtime_r(&seconds, &parts)
        let stamp = String(format: "%04d/%02d/%02d %02d:%02d:%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                           Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
        let oneLine = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        return "\(stamp) \(levelName(level)) \(label): \(oneLine)\n"
    }
}
