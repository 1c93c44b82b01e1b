import Foundation

/// The on-disk tier of ``ResponseCache``: one SQLite file shared by every cache instance and
/// process that opens it (WAL mode, busy timeout). Each row is one response as JSON, with its
/// size and a last-access tick for least-recently-used eviction. Totals (rows, bytes) are kept
/// by triggers in a one-row table, so they are exact across processes and cost O(1) to read.
final class DiskResponseStore: Sendable {
    static let schemaVersion: Int64 = 1

    let database: SQLiteDatabase
    /// Upper bound on the bytes of stored responses (key + value).
    let sizeLimitBytes: Int
    /// Last tick handed out by this process, so ticks stay increasing even if the clock steps back.
    private let lastTick = Locked<Int64>(0)

    var path: String { database.path }

    init(path: String, sizeLimitBytes: Int) throws {
        self.sizeLimitBytes = sizeLimitBytes
        var newestTick: Int64 = 0
        database = try SQLiteDatabase(path: path) { db in
            try db.requireSchema(atMost: DiskResponseStore.schemaVersion, what: "the response cache \(path)")
            try db.transaction {
                try db.execute(
                    """
                    CREATE TABLE IF NOT EXISTS responses(
                        key TEXT PRIMARY KEY NOT NULL,
                        value TEXT NOT NULL,
                        size INTEGER NOT NULL,
                        created INTEGER NOT NULL,
                        accessed INTEGER NOT NULL);
                    CREATE INDEX IF NOT EXISTS responses_by_access ON responses(accessed);
                    CREATE TABLE IF NOT EXISTS totals(
                        id INTEGER PRIMARY KEY CHECK (id = 0),
                        entries INTEGER NOT NULL,
                        bytes INTEGER NOT NULL);
                    INSERT OR IGNORE INTO totals(id, entries, bytes)
                        SELECT 0, COUNT(*), COALESCE(SUM(size), 0) FROM responses;
                    CREATE TRIGGER IF NOT EXISTS responses_insert AFTER INSERT ON responses BEGIN
                        UPDATE totals SET entries = entries + 1, bytes = bytes + NEW.size WHERE id = 0;
                    END;
                    CREATE TRIGGER IF NOT EXISTS responses_delete AFTER DELETE ON responses BEGIN
                        UPDATE totals SET entries = entries - 1, bytes = bytes - OLD.size WHERE id = 0;
                    END;
                    CREATE TRIGGER IF NOT EXISTS responses_resize AFTER UPDATE OF size ON responses BEGIN
                        UPDATE totals SET bytes = bytes - OLD.size + NEW.size WHERE id = 0;
                    END;
                    PRAGMA user_version = \(DiskResponseStore.schemaVersion);
                    """)
            }
            newestTick = try db.scalar("SELECT MAX(accessed) FROM responses") ?? 0
        }
        lastTick.withLock { $0 = newestTick }
    }

    /// A strictly increasing timestamp in microseconds since 1970 (the wall clock, nudged
    /// forward when two calls land in the same microsecond or the clock steps back).
    private func tick() -> Int64 {
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        return lastTick.withLock { last in
            last = max(now, last + 1)
            return last
        }
    }

    /// The stored response for `key`, marking it recently used. Unreadable rows are deleted and
    /// count as a miss.
    func get(_ key: String) async throws -> LMResponse? {
        let tick = tick()
        return try await database.perform { db in try DiskResponseStore.get(key, tick: tick, db: db) }
    }

    /// The synchronous form of ``get(_:)``, for tests and tools.
    func getNow(_ key: String) throws -> LMResponse? {
        let tick = tick()
        return try database.withConnection { db in try DiskResponseStore.get(key, tick: tick, db: db) }
    }

    private static func get(_ key: String, tick: Int64, db: SQLiteConnection) throws -> LMResponse? {
        var text: String?
        try db.query("SELECT value FROM responses WHERE key = ?", [.text(key)]) { row in text = row.text(0) }
        guard let text else { return nil }
        guard let response = LMResponse(cacheJSON: text) else {
            try db.run("DELETE FROM responses WHERE key = ?", [.text(key)])
            return nil
        }
        try db.run("UPDATE responses SET accessed = ? WHERE key = ?", [.int(tick), .text(key)])
        return response
    }

    /// Stores `response` under `key` in its own transaction, then evicts least recently used
    /// rows if the total passed the size limit.
    func put(_ key: String, _ response: LMResponse) async throws {
        let tick = tick()
        let json = response.cacheJSON
        let limit = sizeLimitBytes
        try await database.perform { db in try DiskResponseStore.put(key, json: json, tick: tick, limit: limit, db: db) }
    }

    /// The synchronous form of ``put(_:_:)``.
    func putNow(_ key: String, _ response: LMResponse) throws {
        let tick = tick()
        try database.withConnection { db in try DiskResponseStore.put(key, json: response.cacheJSON, tick: tick, limit: sizeLimitBytes, db: db) }
    }

    private static func put(_ key: String, json: String, tick: Int64, limit: Int, db: SQLiteConnection) throws {
        let size = Int64(key.utf8.count + json.utf8.count)
        try db.transaction {
            try db.run(
                """
                INSERT INTO responses(key, value, size, created, accessed) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(key) DO UPDATE SET value = excluded.value, size = excluded.size, accessed = excluded.accessed
                """, [.text(key), .text(json), .int(size), .int(tick), .int(tick)])
            try evictIfNeeded(limit: Int64(limit), db: db)
        }
    }

    /// When the stored bytes exceed `limit`, deletes least recently used rows until they are at
    /// most 90% of it, so a full cache evicts in batches rather than on every put.
    private static func evictIfNeeded(limit: Int64, db: SQLiteConnection) throws {
        guard var bytes = try db.scalar("SELECT bytes FROM totals WHERE id = 0"), bytes > limit else { return }
        let target = limit - limit / 10
        while bytes > target {
            var victims: [(key: String, size: Int64)] = []
            try db.query("SELECT key, size FROM responses ORDER BY accessed, rowid LIMIT 256") { row in
                if let key = row.text(0) { victims.append((key, row.int(1))) }
            }
            if victims.isEmpty { break }
            for victim in victims where bytes > target {
                try db.run("DELETE FROM responses WHERE key = ?", [.text(victim.key)])
                bytes -= victim.size
            }
        }
    }

    /// Rows and bytes stored now (exact, including other processes' writes).
    func totals() throws -> (entries: Int, bytes: Int) {
        try database.withConnection { db in
            var result = (entries: 0, bytes: 0)
            try db.query("SELECT entries, bytes FROM totals WHERE id = 0") { row in
                result = (Int(row.int(0)), Int(row.int(1)))
            }
            return result
        }
    }

    /// Deletes every row and gives the space back to the file system.
    func clear() throws {
        try database.withConnection { db in
            try db.transaction { try db.run("DELETE FROM responses") }
            // Best effort: another connection reading right now makes these wait or fail.
            try? db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            try? db.execute("VACUUM")
        }
    }
}
