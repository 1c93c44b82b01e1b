import CSQLite
import Foundation

/// A failed SQLite operation: what we were doing, SQLite's result code and its message.
package struct SQLiteError: Error, CustomStringConvertible, Sendable {
    /// SQLite's (extended) result code, e.g. 5 for `SQLITE_BUSY`.
    package let code: Int32
    /// SQLite's explanation (`sqlite3_errmsg`).
    package let message: String
    /// What the library was doing ("open /path", "prepare INSERT ...").
    package let context: String

    package var description: String { "SQLite error \(code) while \(context): \(message)" }
}

/// A value bound to a statement parameter or read from a column.
enum SQLiteValue: Sendable, Hashable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
}

/// One result row; valid only inside the closure that receives it.
struct SQLiteRow {
    fileprivate let statement: OpaquePointer

    var columnCount: Int32 { sqlite3_column_count(statement) }
    func isNull(_ i: Int32) -> Bool { sqlite3_column_type(statement, i) == SQLITE_NULL }
    func int(_ i: Int32) -> Int64 { sqlite3_column_int64(statement, i) }
    func double(_ i: Int32) -> Double { sqlite3_column_double(statement, i) }
    /// The column as UTF-8 text (`nil` for NULL). Invalid UTF-8 is repaired, never trapped on.
    func text(_ i: Int32) -> String? {
        guard !isNull(i), let bytes = sqlite3_column_text(statement, i) else { return nil }
        let count = Int(sqlite3_column_bytes(statement, i))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }
}

/// One SQLite connection with a cache of prepared statements. Not thread-safe by itself: it is
/// only used through ``SQLiteDatabase``, which serializes access with a lock.
final class SQLiteConnection {
    private var handle: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]
    let path: String

    /// Opens (creating if needed) the database at `path` in WAL mode with `synchronous=NORMAL`
    /// and a busy timeout, so several connections and processes can share the file.
    init(path: String, busyTimeout: Duration = .seconds(5)) throws(SQLiteError) {
        self.path = path
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc, message: message, context: "opening \(path)")
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        let ms = busyTimeout.components.seconds * 1000 + busyTimeout.components.attoseconds / 1_000_000_000_000_000
        sqlite3_busy_timeout(db, Int32(clamping: ms))
        do {
            // journal_mode answers with the mode in effect; anything but "wal" (e.g. a file
            // system without shared memory) still works, with less concurrency.
            try execute("PRAGMA journal_mode=WAL")
            try execute("PRAGMA synchronous=NORMAL")
            try execute("PRAGMA foreign_keys=ON")
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    /// Finalizes every statement and closes the connection. An open transaction is rolled back.
    func close() {
        for (_, s) in statements { sqlite3_finalize(s) }
        statements = [:]
        if let handle { sqlite3_close_v2(handle) }
        handle = nil
    }

    private func error(_ rc: Int32, _ context: String) -> SQLiteError {
        let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "the connection is closed"
        return SQLiteError(code: rc, message: message, context: context)
    }

    private func openHandle(_ context: String) throws(SQLiteError) -> OpaquePointer {
        guard let handle else { throw SQLiteError(code: SQLITE_MISUSE, message: "the connection is closed", context: context) }
        return handle
    }

    /// Runs SQL without parameters (schema, pragmas, transaction control). Several statements
    /// separated by `;` are allowed. Never pass values in `sql`: use ``run(_:_:)`` to bind them.
    func execute(_ sql: String) throws(SQLiteError) {
        let db = try openHandle(sql)
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(db))
            sqlite3_free(message)
            throw SQLiteError(code: rc, message: text, context: "running \(sql.prefix(80))")
        }
    }

    /// The prepared statement for `sql`, compiled once per connection and reused.
    private func prepared(_ sql: String) throws(SQLiteError) -> OpaquePointer {
        if let s = statements[sql] { return s }
        let db = try openHandle(sql)
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw error(rc, "preparing \(sql.prefix(80))") }
        statements[sql] = statement
        return statement
    }

    private func bind(_ statement: OpaquePointer, _ parameters: [SQLiteValue], sql: String) throws(SQLiteError) {
        guard Int(sqlite3_bind_parameter_count(statement)) == parameters.count else {
            throw SQLiteError(
                code: SQLITE_RANGE, message: "expected \(sqlite3_bind_parameter_count(statement)) parameters, got \(parameters.count)",
                context: "binding \(sql.prefix(80))")
        }
        for (offset, value) in parameters.enumerated() {
            let i = Int32(offset + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(statement, i)
            case .int(let v): rc = sqlite3_bind_int64(statement, i, v)
            case .double(let v): rc = sqlite3_bind_double(statement, i, v)
            case .text(let v): rc = sqlite3_bind_text64(statement, i, v, UInt64(v.utf8.count), csqlite_transient(), UInt8(SQLITE_UTF8))
            }
            guard rc == SQLITE_OK else { throw error(rc, "binding parameter \(i) of \(sql.prefix(80))") }
        }
    }

    /// Runs one statement with bound parameters, calling `row` for each result row.
    func query(_ sql: String, _ parameters: [SQLiteValue] = [], row: (SQLiteRow) throws -> Void = { _ in }) throws {
        let statement = try prepared(sql)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        try bind(statement, parameters, sql: sql)
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { return }
            guard rc == SQLITE_ROW else { throw error(rc, "running \(sql.prefix(80))") }
            try row(SQLiteRow(statement: statement))
        }
    }

    /// Runs one statement with bound parameters; returns the number of rows it changed.
    @discardableResult
    func run(_ sql: String, _ parameters: [SQLiteValue] = []) throws -> Int {
        try query(sql, parameters)
        guard let handle else { return 0 }
        return Int(sqlite3_changes64(handle))
    }

    /// The first column of the first row, or `nil` when there is no row.
    func scalar(_ sql: String, _ parameters: [SQLiteValue] = []) throws -> Int64? {
        var result: Int64?
        try query(sql, parameters) { r in if result == nil, !r.isNull(0) { result = r.int(0) } }
        return result
    }

    /// Refuses a file whose schema (`PRAGMA user_version`) is newer than `version`, the newest
    /// this build can read; `what` names the file in the error ("the call log /path").
    func requireSchema(atMost version: Int64, what: String) throws {
        let found = try scalar("PRAGMA user_version") ?? 0
        if found > version {
            throw SQLiteError(
                code: 1, message: "the file was written by a newer version (schema \(found), this one reads \(version))",
                context: "opening \(what)")
        }
    }

    /// The rowid of the last inserted row.
    var lastInsertRowID: Int64 { handle.map { sqlite3_last_insert_rowid($0) } ?? 0 }

    /// Runs `body` inside `BEGIN IMMEDIATE ... COMMIT` (the write lock is taken up front, so the
    /// busy timeout applies instead of a deadlock on upgrade); rolls back if `body` throws.
    @discardableResult
    func transaction<R>(_ body: () throws -> R) throws -> R {
        try execute("BEGIN IMMEDIATE")
        do {
            let r = try body()
            try execute("COMMIT")
            return r
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }
}

/// A shared SQLite database: one connection guarded by a lock, plus a serial worker thread for
/// async callers, so waiting on SQLite (disk I/O, another process holding the write lock for up
/// to the busy timeout) never blocks Swift's cooperative thread pool.
///
/// Sendable: the connection (not thread-safe itself) is only reached inside
/// `connection.withLock`, through ``withConnection(_:)`` and ``perform(_:)``, whose bodies use
/// it for the duration of the call and never keep it.
final class SQLiteDatabase: Sendable {
    let path: String
    private let connection: Locked<SQLiteConnection>
    private let worker: ThreadPool

    /// Opens the file (creating its directory), then runs `setup` once with the connection
    /// (schema creation, migrations).
    init(path: String, setup: (SQLiteConnection) throws -> Void = { _ in }) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw SQLiteError(code: SQLITE_CANTOPEN, message: error.localizedDescription, context: "creating the directory \(directory)")
            }
        }
        let conn = try SQLiteConnection(path: path)
        try setup(conn)
        connection = Locked(conn)
        worker = ThreadPool(name: "dspy.sqlite", idleTimeout: 10, maxThreads: 1)
    }

    /// Runs `body` with exclusive use of the connection on the calling thread. For short
    /// operations from synchronous code; async code should use ``perform(_:)``.
    func withConnection<R>(_ body: (SQLiteConnection) throws -> R) throws -> R {
        try connection.withLock { try body($0) }
    }

    /// Runs `body` with the connection on this database's worker thread and resumes the caller
    /// with its result; the caller's thread is free meanwhile.
    func perform<R: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> R) async throws -> R {
        try await withCheckedThrowingContinuation { continuation in
            worker.submit { [self] in
                continuation.resume(with: Result { try self.withConnection(body) })
            }
        }
    }
}
