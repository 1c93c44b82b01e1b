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

    /// The newest `n` of `entries`: all of them when `n` is larger, none when `n` is 0 or
    /// negative (`suffix` traps on a negative count). Every `inspectHistory` uses this.
    static func last(_ n: Int, of entries: [HistoryEntry]) -> ArraySlice<HistoryEntry> {
        entries.suffix(Swift.max(0, n))
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
    /// Empty without copying: Deque's copy into an array writes the shared empty-array storage
    /// when there is nothing to copy, which the thread sanitizer reports as a race.
    var entries: [Element] { buffer.isEmpty ? [] : Array(buffer) }
    var count: Int { buffer.count }
    mutating func append(_ e: Element, limit: Int) {
        buffer.append(e)
        while buffer.count > limit { buffer.removeFirst() }
    }
    mutating func removeAll() { buffer.removeAll() }
}

/// A recorded call, stored once and shared by every history it is in (the process's, the LM's
/// and each calling module's): appending it copies one reference instead of the entry's fields.
final class RecordedCall: Sendable {
    let entry: HistoryEntry
    init(_ entry: HistoryEntry) { self.entry = entry }
}

/// The newest `limit` recorded calls.
struct BoundedHistory: Sendable {
    private var calls = BoundedBuffer<RecordedCall>()
    var entries: [HistoryEntry] { calls.entries.map(\.entry) }
    mutating func append(_ call: RecordedCall, limit: Int) { calls.append(call, limit: limit) }
}

/// Every LM call in the process, newest last, bounded to 10 000 entries (DSPy's `GLOBAL_HISTORY`).
package enum GlobalHistory {
    package static let maxSize = 10_000
    private static let store = Locked(BoundedHistory())

    static func append(_ call: RecordedCall) { store.withLock { $0.append(call, limit: maxSize) } }
    /// All recorded calls, oldest first.
    package static var entries: [HistoryEntry] { store.withLock { $0.entries } }
    /// Forgets every recorded call.
    package static func clear() { store.withLock { $0 = BoundedHistory() } }
}

/// The last `n` LM calls of the process, as DSPy's `dspy.inspect_history(n)` prints them
/// (all of them when `n` exceeds their number, none when `n` is 0 or negative).
public func inspectHistory(n: Int = 1, color: Bool = false) -> String {
    HistoryEntry.render(HistoryEntry.last(n, of: GlobalHistory.entries), color: color)
}

/// Random 32-hex-digit identifiers (like Python's `uuid4().hex`).
enum CallID {
    /// Random per process, so ids from different runs (and processes) do not collide.
    private static let processPrefix: UInt64 = {
        var g = SystemRandomNumberGenerator()
        return g.next()
    }()
    private static let counter = Atomic<UInt64>(0)

    /// 32 hex digits, unique within the process: a random process prefix and a counter. No
    /// system call per id (ids are made for every call and history entry).
    static func make() -> String {
        let n = counter.add(1, ordering: .relaxed).newValue
        let scrambled = n &* 0x9E37_79B9_7F4A_7C15  // odd multiplier: still one-to-one
        return String(unsafeUninitializedCapacity: 32) { buffer in
            func put(_ word: UInt64, at offset: Int) {
                for i in 0..<16 {
                    let nibble = UInt8(truncatingIfNeeded: (word >> UInt64(60 - 4 * i)) & 0xF)
                    buffer[offset + i] = nibble < 10 ? 0x30 + nibble : 0x57 + nibble  // 0-9, a-f
                }
            }
            put(processPrefix, at: 0)
            put(scrambled, at: 16)
            return 32
        }
    }
}

extension SettingKey where Value == Bool {
    /// Skip LM and module history (`disable_history`).
    public static var disableHistory: SettingKey {
        SettingKey("disable_history", summary: "True: LMs and modules keep no call history", default: { false }, check: .boolean)
    }
}

extension SettingKey where Value == Int {
    /// Bound for LM and module histories (`max_history_size`, 10 000).
    public static var maxHistorySize: SettingKey {
        SettingKey(
            "max_history_size", summary: "the most calls an LM or module history keeps (default 10 000)",
            default: { 10_000 }, check: .integer(in: 0...Int.max, "a whole number, 0 or more"))
    }
}

extension Settings {
    /// Skip LM and module history (`disable_history`).
    public var disableHistory: Bool { self[.disableHistory] }
    /// Bound for LM and module histories (`max_history_size`, 10 000).
    public var maxHistorySize: Int { self[.maxHistorySize] }
}
