import Foundation

/// The provider batches this machine has submitted and not yet read back, in a SQLite file
/// beside the response cache (`provider-batches.sqlite`). A run that dies while its batches are
/// at the provider finds them here when it is started again, and polls them instead of
/// submitting the same requests twice.
final class ProviderBatchStore: Sendable {
    static let schemaVersion: Int64 = 1
    /// The file's name inside its directory.
    static let fileName = "provider-batches.sqlite"

    let database: SQLiteDatabase
    var path: String { database.path }

    /// A remembered batch: its id and the requests it carries (custom id → cache key).
    struct Remembered: Sendable, Equatable {
        let batchID: String
        let requests: [String: String]
    }

    init(directory: String) throws {
        let path = (directory as NSString).appendingPathComponent(Self.fileName)
        database = try SQLiteDatabase(path: path) { db in
            try db.requireSchema(atMost: ProviderBatchStore.schemaVersion, what: "the provider batch state \(path)")
            try db.transaction {
                try db.execute(
                    """
                    CREATE TABLE IF NOT EXISTS batches(
                        id TEXT NOT NULL,
                        server TEXT NOT NULL,
                        format TEXT NOT NULL,
                        state TEXT NOT NULL,
                        status TEXT NOT NULL,
                        created REAL NOT NULL,
                        updated REAL NOT NULL,
                        PRIMARY KEY (server, id));
                    CREATE TABLE IF NOT EXISTS batch_requests(
                        server TEXT NOT NULL,
                        batch_id TEXT NOT NULL,
                        custom_id TEXT NOT NULL,
                        cache_key TEXT NOT NULL,
                        PRIMARY KEY (server, batch_id, custom_id));
                    PRAGMA user_version = \(ProviderBatchStore.schemaVersion);
                    """)
            }
        }
    }

    /// The open batches on `server` that carry any of `customIDs`, each with all its requests.
    /// Open batches are few (those of runs that died), so they are read whole and matched here.
    func openBatches(server: String, carrying customIDs: [String]) async throws -> [Remembered] {
        let open = try await database.perform { db in
            var ids: [String] = []
            try db.query("SELECT id FROM batches WHERE server = ? AND state = 'open' ORDER BY created", [.text(server)]) { row in
                if let id = row.text(0) { ids.append(id) }
            }
            return try ids.map { id in
                var requests: [String: String] = [:]
                try db.query("SELECT custom_id, cache_key FROM batch_requests WHERE server = ? AND batch_id = ?", [.text(server), .text(id)]) {
                    row in
                    if let c = row.text(0), let k = row.text(1) { requests[c] = k }
                }
                return Remembered(batchID: id, requests: requests)
            }
        }
        guard !open.isEmpty else { return [] }
        let wanted = Set(customIDs)
        return open.filter { batch in batch.requests.keys.contains { wanted.contains($0) } }
    }

    /// Records a batch the provider accepted, with its requests, as open.
    func remember(server: String, format: ProviderBatchFormat, batch: ProviderBatchState, requests: [String: String]) async throws {
        try await database.perform { db in
            try db.transaction {
                let now = Date().timeIntervalSince1970
                try db.run(
                    "INSERT OR REPLACE INTO batches(id, server, format, state, status, created, updated) VALUES (?, ?, ?, 'open', ?, ?, ?)",
                    [.text(batch.id), .text(server), .text(format.rawValue), .text(batch.status), .double(now), .double(now)])
                for (customID, key) in requests {
                    try db.run(
                        "INSERT OR REPLACE INTO batch_requests(server, batch_id, custom_id, cache_key) VALUES (?, ?, ?, ?)",
                        [.text(server), .text(batch.id), .text(customID), .text(key)])
                }
            }
        }
    }

    /// Marks a batch as read back (`done`) or given up (`cancelled`): it is not polled again.
    func close(server: String, batchID: String, state: String, status: String) async throws {
        _ = try await database.perform { db in
            try db.run(
                "UPDATE batches SET state = ?, status = ?, updated = ? WHERE server = ? AND id = ?",
                [.text(state), .text(status), .double(Date().timeIntervalSince1970), .text(server), .text(batchID)])
        }
    }

    /// Every batch this store knows, newest first: id, server, state, provider status.
    func all() throws -> [(id: String, server: String, state: String, status: String)] {
        try database.withConnection { db in
            var rows: [(String, String, String, String)] = []
            try db.query("SELECT id, server, state, status FROM batches ORDER BY created DESC") { row in
                rows.append((row.text(0) ?? "", row.text(1) ?? "", row.text(2) ?? "", row.text(3) ?? ""))
            }
            return rows
        }
    }
}
