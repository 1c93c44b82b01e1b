import Foundation
import Logging
import OrderedCollections

/// One logged LM call, as ``CallLog`` stored it.
public struct CallRecord: Sendable, Hashable, Identifiable {
    /// The row id, increasing with each call written to the file.
    public let id: Int64
    public let startedAt: Date
    /// Wall time from the call's start to its answer or failure (retries included).
    public let duration: Duration
    /// The LM's model string (`openai/gpt-4o-mini`).
    public let model: String
    public let messages: [Message]
    /// The request parameters (the LM's and the call's), without `api_*`/`base_url` keys.
    public let parameters: OrderedDictionary<String, Value>
    /// Each completion's text; empty when the call failed.
    public let outputs: [String]
    /// Tokens spent; `nil` for cache hits, failures and providers that report none.
    public let usage: TokenUsage?
    public let cacheHit: Bool
    /// The failure's kind (an ``LMError/Kind`` name, `cancelled`, or an error type name).
    public let errorKind: String?
    public let errorMessage: String?
    /// The id callbacks saw for this call (``CallInfo/id``), when callbacks observed it.
    public let callID: String?
    /// The server the call went to (the LM's `api_base`); `nil` for in-process LMs and for
    /// calls logged before the log kept servers.
    public var server: String? = nil

    /// True when the call returned completions.
    public var succeeded: Bool { errorKind == nil }
}

/// An append-only SQLite log of LM calls: when, which model, the messages and parameters, the
/// replies, tokens, duration, cache hits and failures. API keys are never written.
///
/// Turn it on with the `call_log` setting (`configure(extra: ["call_log": try CallLog(path: ...)])`);
/// the library writes nothing unless asked. `dspy-repl` keeps one by default. Several processes
/// may share a file.
public final class CallLog: Sendable, CustomStringConvertible {
    static let schemaVersion: Int64 = 2
    static let logger = Logger(label: "dspy.calllog")

    /// The SQLite file.
    public let path: String
    /// The most calls kept; older ones are deleted as new ones arrive (`nil`: keep all).
    public let maxRecords: Int?
    private let database: SQLiteDatabase
    private let failures = Locked(0)

    /// How many calls a log keeps unless told otherwise: enough for months of interactive use,
    /// small enough (a few hundred MB at most) never to fill a disk unnoticed.
    public static let defaultMaxRecords = 100_000

    /// Opens (creating it and its directory if needed) the log at `path`, keeping at most
    /// `maxRecords` calls (`nil` keeps every call).
    public init(path: String, maxRecords: Int? = CallLog.defaultMaxRecords) throws {
        let expanded = (path as NSString).expandingTildeInPath
        self.path = expanded
        self.maxRecords = maxRecords.map { max(1, $0) }
        database = try SQLiteDatabase(path: expanded) { db in
            try db.requireSchema(atMost: CallLog.schemaVersion, what: "the call log \(expanded)")
            try db.transaction {
                try db.execute(
                    """
                    CREATE TABLE IF NOT EXISTS calls(
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        started REAL NOT NULL,
                        duration REAL NOT NULL,
                        model TEXT NOT NULL,
                        messages TEXT NOT NULL,
                        parameters TEXT NOT NULL,
                        outputs TEXT NOT NULL,
                        prompt_tokens INTEGER,
                        completion_tokens INTEGER,
                        total_tokens INTEGER,
                        cached_tokens INTEGER,
                        cache_hit INTEGER NOT NULL,
                        error_kind TEXT,
                        error_message TEXT,
                        call_id TEXT,
                        server TEXT);
                    CREATE INDEX IF NOT EXISTS calls_by_model ON calls(model, id);
                    """)
                // Version 1 had no server column: a log kept from then gains it (its old calls
                // have no server).
                if try db.scalar("PRAGMA user_version") == 1 {
                    try db.execute("ALTER TABLE calls ADD COLUMN server TEXT")
                }
                try db.execute("PRAGMA user_version = \(CallLog.schemaVersion)")
            }
        }
    }

    public var description: String { "CallLog(\(Value.string(path).pythonRepr))" }

    // MARK: Writing

    /// What ``LM`` hands over for one call.
    struct Entry: Sendable {
        var startedAt: Date
        var duration: Duration
        var model: String
        var messages: [Message]
        var parameters: OrderedDictionary<String, Value>
        var outputs: [String]
        var usage: TokenUsage?
        var cacheHit: Bool
        var errorKind: String?
        var errorMessage: String?
        var callID: String?
        /// The server the LM sends to (its `api_base`); `nil` for in-process LMs.
        var server: String?
        /// Blanks out the LM's credentials wherever they appear.
        var redactor: Redactor = .none
    }

    static let insertSQL = """
        INSERT INTO calls(started, duration, model, messages, parameters, outputs, prompt_tokens, completion_tokens,
                          total_tokens, cached_tokens, cache_hit, error_kind, error_message, call_id, server)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// The row for `entry`, with credentials removed from the parameters and every secret
    /// (plain or percent-encoded) replaced by `<redacted>` in every text column.
    static func row(_ entry: Entry) -> [SQLiteValue] {
        let scrub = { (s: String) in entry.redactor.scrub(s) }
        var params = entry.parameters
        params.removeAll { LMRequest.isCredential($0.key) || $0.value.isNull }
        let messages = JSON.compact(.array(entry.messages.map(\.jsonValue)))
        let outputs = JSON.compact(.array(entry.outputs.map(Value.string)))
        let seconds = entry.duration.timeInterval
        func optionalInt(_ i: Int?) -> SQLiteValue { i.map { .int(Int64($0)) } ?? .null }
        return [
            .double(entry.startedAt.timeIntervalSince1970), .double(seconds), .text(scrub(entry.model)),
            .text(scrub(messages)), .text(scrub(JSON.compact(.object(params)))), .text(scrub(outputs)),
            optionalInt(entry.usage?.promptTokens), optionalInt(entry.usage?.completionTokens),
            optionalInt(entry.usage?.totalTokens), optionalInt(entry.usage?.cachedTokens),
            .int(entry.cacheHit ? 1 : 0), entry.errorKind.map { .text($0) } ?? .null,
            entry.errorMessage.map { .text(scrub($0)) } ?? .null, entry.callID.map { .text($0) } ?? .null,
            entry.server.map { .text(scrub($0)) } ?? .null,
        ]
    }

    /// Appends one call on the log's own thread (the caller's thread is free meanwhile). A
    /// failure is logged as a warning and never fails the LM call.
    func append(_ entry: Entry) async {
        let row = CallLog.row(entry)
        let keep = maxRecords
        do {
            _ = try await database.perform { db in
                _ = try db.run(CallLog.insertSQL, row)
                try CallLog.prune(db, keep: keep)
            }
        } catch {
            let count = failures.withLock { n -> Int in
                n += 1; return n
            }
            if count <= 3 { CallLog.logger.warning("\(LogText.oneLine("call log \(path): writing failed: \(error)"))") }
        }
    }

    /// The synchronous form of ``append(_:)`` (for measurements and tools); throws on failure.
    func appendNow(_ entry: Entry) throws {
        let row = CallLog.row(entry)
        try database.withConnection { db in
            _ = try db.run(CallLog.insertSQL, row)
            try CallLog.prune(db, keep: maxRecords)
        }
    }

    /// Deletes the oldest calls beyond `keep`; checked every 64 rows (for larger bounds) so most
    /// appends stay one insert.
    private static func prune(_ db: SQLiteConnection, keep: Int?) throws {
        guard let keep else { return }
        let last = db.lastInsertRowID
        guard keep < 64 || last % 64 == 0 else { return }
        _ = try db.run("DELETE FROM calls WHERE id <= ?", [.int(last - Int64(keep))])
    }

    /// Deletes every logged call.
    public func clear() throws {
        try database.withConnection { db in _ = try db.run("DELETE FROM calls") }
    }

    /// Builds and appends the entry for one finished ``LM`` call.
    func append(
        lm: LM, request: LMRequest, callID: String?, startedAt: Date, started: ContinuousClock.Instant,
        result: Result<LMResponse, any Error>
    ) async {
        var entry = Entry(
            startedAt: startedAt, duration: ContinuousClock.now - started, model: lm.model,
            messages: request.messages, parameters: request.parameters, outputs: [], usage: nil,
            cacheHit: false, callID: callID, server: lm.apiBase, redactor: lm.redactor)
        switch result {
        case .success(let response):
            entry.outputs = response.outputs
            entry.cacheHit = response.cacheHit
            entry.usage = response.cacheHit ? nil : response.usage
        case .failure(let error as LMError):
            entry.errorKind = error.kind.rawValue
            entry.errorMessage = error.description
        case .failure(let error) where error is CancellationError:
            entry.errorKind = "cancelled"
            entry.errorMessage = "the call was cancelled"
        case .failure(let error):
            entry.errorKind = String(describing: type(of: error))
            entry.errorMessage = String(describing: error)
        }
        await append(entry)
    }

    // MARK: Reading

    private static let columns = """
        id, started, duration, model, messages, parameters, outputs, prompt_tokens, completion_tokens, total_tokens,
        cached_tokens, cache_hit, error_kind, error_message, call_id, server
        """

    private static func record(_ r: SQLiteRow) -> CallRecord {
        func json(_ i: Int32) -> Value { r.text(i).flatMap { try? JSON.parse($0) } ?? .null }
        let messages: [Message] = (json(4).arrayValue ?? []).compactMap { m in
            guard let role = m["role"].stringValue.flatMap(Message.Role.init(rawValue:)) else { return nil }
            return Message(role, m["content"].stringValue ?? "")
        }
        var usage: TokenUsage?
        if !r.isNull(7) || !r.isNull(8) || !r.isNull(9) {
            usage = TokenUsage(promptTokens: Int(r.int(7)), completionTokens: Int(r.int(8)), totalTokens: Int(r.int(9)), cachedTokens: Int(r.int(10)))
        }
        let seconds = r.double(2)
        return CallRecord(
            id: r.int(0), startedAt: Date(timeIntervalSince1970: r.double(1)),
            duration: Duration.clamping(seconds: seconds),  // any stored number, even a damaged one
            model: r.text(3) ?? "", messages: messages, parameters: json(5).objectValue ?? [:],
            outputs: (json(6).arrayValue ?? []).map { $0.stringValue ?? "" }, usage: usage, cacheHit: r.int(11) != 0,
            errorKind: r.text(12), errorMessage: r.text(13), callID: r.text(14), server: r.text(15))
    }

    /// The last `n` calls (of `model`, when given), oldest first.
    public func recent(_ n: Int, model: String? = nil) throws -> [CallRecord] {
        guard n > 0 else { return [] }
        var records: [CallRecord] = []
        try database.withConnection { db in
            if let model {
                try db.query("SELECT \(CallLog.columns) FROM calls WHERE model = ? ORDER BY id DESC LIMIT ?", [.text(model), .int(Int64(n))]) {
                    records.append(CallLog.record($0))
                }
            } else {
                try db.query("SELECT \(CallLog.columns) FROM calls ORDER BY id DESC LIMIT ?", [.int(Int64(n))]) {
                    records.append(CallLog.record($0))
                }
            }
        }
        return records.reversed()
    }

    /// The call with row id `id`, or `nil`.
    public func record(id: Int64) throws -> CallRecord? {
        var found: CallRecord?
        try database.withConnection { db in
            try db.query("SELECT \(CallLog.columns) FROM calls WHERE id = ?", [.int(id)]) { found = CallLog.record($0) }
        }
        return found
    }

    /// Calls in the file.
    public func count() throws -> Int {
        try database.withConnection { db in Int(try db.scalar("SELECT COUNT(*) FROM calls") ?? 0) }
    }
}

extension SettingKey where Value == CallLog? {
    /// Where every LM call is logged (`call_log`, not a DSPy key); `nil` (the default) logs
    /// nothing: `try configure(.callLog(try CallLog(path: ...)))`.
    public static var callLog: SettingKey {
        SettingKey(
            "call_log", summary: "where every LM call is logged (not a DSPy key; the shell logs by default)",
            default: { nil }, listed: false, check: .instance(of: CallLog.self, "a CallLog"))
    }
}

extension Settings {
    /// Where every LM call is logged (`call_log`); `nil` logs nothing.
    public var callLog: CallLog? { self[.callLog] }
}
