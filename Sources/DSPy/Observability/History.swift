import DequeModule
import Foundation
import OrderedCollections
import Synchronization

/// One recorded LM call (DSPy's history entry).
public struct HistoryEntry: Sendable, Hashable {
    public let model: String
    public let messages: [Message]
    /// The parameters given to this call (not the LM's defaults), without `api_*` keys.
    public let kwargs: OrderedDictionary<String, Value>
    public let response: LMResponse
    /// Each completion's text.
    public var outputs: [String] { response.outputs }
    /// Tokens spent; `nil` on a cache hit.
    public let usage: TokenUsage?
    public let timestamp: Date
    public let uuid: String

    init(model: String, messages: [Message], kwargs: OrderedDictionary<String, Value>, response: LMResponse, usage: TokenUsage?) {
        self.model = model
        self.messages = messages
        self.kwargs = kwargs
        self.response = response
        self.usage = usage
        self.timestamp = Date()
        self.uuid = CallID.make()
    }

    /// Python's `datetime.now().isoformat()` in local time, e.g. `2026-11-21T18:25:16.123456`.
    public var isoTimestamp: String {
        var t = time_t(timestamp.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        localtime_r(&t, &parts)
        let micros = Int((timestamp.timeIntervalSince1970 - Double(t)) * 1_000_000)
        func pad(_ v: Int, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))T"
            + "\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2)).\(pad(micros, 6))"
    }

    /// Formats entries as DSPy's `inspect_history` prints them; `color` adds ANSI colours.
    public static func render<S: Sequence>(_ entries: S, color: Bool) -> String where S.Element == HistoryEntry {
        func paint(_ code: String, _ s: String) -> String { color ? "\u{1B}[\(code)m" + s + "\u{1B}[0m" : s }
        var out = ""
        for e in entries {
            out += "\n\n\n\n" + paint("34", "[\(e.isoTimestamp)]") + "\n\n"
            for m in e.messages {
                out += paint("31", "\(m.role.rawValue.prefix(1).uppercased() + m.role.rawValue.dropFirst()) message:") + "\n\n"
                out += m.content.trimmingWhitespace() + "\n\n\n"
            }
            out += paint("31", "Response:") + "\n\n"
            out += paint("32", (e.outputs.first ?? "").trimmingWhitespace())
            if e.outputs.count > 1 { out += paint("31", " \t (and \(e.outputs.count - 1) other completions)") }
            out += "\n\n\n\n\n\n"
        }
        return out
    }
}

/// The newest `limit` items (histories, the trace). A deque, so dropping the oldest item at the
/// bound is O(1) rather than a move of the whole buffer on every call.
struct BoundedBuffer<Element: Sendable>: Sendable {
    private var buffer = Deque<Element>()
    var entries: [Element] { Array(buffer) }
    var count: Int { buffer.count }
    mutating func append(_ e: Element, limit: Int) {
        buffer.append(e)
        while buffer.count > limit { buffer.removeFirst() }
    }
    mutating func removeAll() { buffer.removeAll() }
}

typealias BoundedHistory = BoundedBuffer<HistoryEntry>

/// Every LM call in the process, newest last, bounded to 10 000 entries (DSPy's `GLOBAL_HISTORY`).
public enum GlobalHistory {
    public static let maxSize = 10_000
    private static let store = Locked(BoundedHistory())

    static func append(_ e: HistoryEntry) { store.withLock { $0.append(e, limit: maxSize) } }
    /// All recorded calls, oldest first.
    public static var entries: [HistoryEntry] { store.withLock { $0.entries } }
    /// Forgets every recorded call.
    public static func clear() { store.withLock { $0 = BoundedHistory() } }
}

/// The last `n` LM calls of the process, as DSPy's `dspy.inspect_history(n)` prints them.
public func inspectHistory(n: Int = 1, color: Bool = false) -> String {
    HistoryEntry.render(GlobalHistory.entries.suffix(n), color: color)
}

/// Random 32-hex-digit identifiers (like Python's `uuid4().hex`).
enum CallID {
    static func make() -> String {
        var g = SystemRandomNumberGenerator()
        let a = g.next() as UInt64, b = g.next() as UInt64
        func hex(_ v: UInt64) -> String { let s = String(v, radix: 16); return String(repeating: "0", count: 16 - s.count) + s }
        return hex(a) + hex(b)
    }
}
