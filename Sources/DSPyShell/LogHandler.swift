import Foundation
import Logging
import Synchronization

/// Prints the library's log records in the shell's own form, one line each:
/// `warning: Error for item 3 {...}: ValueError: ... Set `provide_traceback=True` for traceback.`
/// Records at warning and error level become `warning:` lines (the statement goes on; a
/// failed statement prints its own `error:` line), critical ones `error:` lines. Python DSPy
/// prints timestamped `logging` lines instead; the shell keeps its stderr to one form.
public struct ShellLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .warning
    let write: @Sendable (String) -> Void

    /// A handler that hands each finished line (with its newline) to `write`.
    public init(write: @escaping @Sendable (String) -> Void) {
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        guard Self.isEnabled else { return }
        write(Self.line(level: event.level, message: "\(event.message)"))
    }

    private static let enabled = Atomic<Bool>(true)
    /// `dspy.disable_logging()` / `dspy.enable_logging()`: whether library records are shown.
    static var isEnabled: Bool {
        get { enabled.load(ordering: .relaxed) }
        set { enabled.store(newValue, ordering: .relaxed) }
    }

    /// One record as one line; the message's own line breaks become spaces.
    static func line(level: Logger.Level, message: String) -> String {
        let oneLine = message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        return (level == .critical ? "error: " : "warning: ") + oneLine + "\n"
    }
}
