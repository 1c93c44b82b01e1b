import OrderedCollections
import Synchronization

/// In-memory LRU cache of LM responses, keyed by the request without credentials (model,
/// messages and every parameter, `rollout_id` included). A hit costs no tokens.
public final class ResponseCache: Sendable {
    /// The process-wide cache every ``LM`` uses.
    public static let shared = ResponseCache(maxEntries: 10_000)

    private struct Store {
        var entries = OrderedDictionary<String, LMResponse>()
        var maxEntries: Int
        var hits = 0
        var misses = 0
    }
    private let store: Locked<Store>

    public init(maxEntries: Int) {
        store = Locked(Store(maxEntries: max(1, maxEntries)))
    }

    /// The cache key of a request (see ``RequestKey``).
    static func key(model: String, request: LMRequest) -> String {
        RequestKey(model: model, request: request).hex
    }

    func get(_ key: String) -> LMResponse? {
        store.withLock { s in
            guard let hit = s.entries.removeValue(forKey: key) else { s.misses += 1; return nil }
            s.entries[key] = hit  // most recently used goes last
            s.hits += 1
            return hit
        }
    }

    func put(_ key: String, _ response: LMResponse) {
        store.withLock { s in
            s.entries[key] = response
            while s.entries.count > s.maxEntries { s.entries.removeFirst() }
        }
    }

    /// Entries held now.
    public var count: Int { store.withLock { $0.entries.count } }
    /// Lookups answered from the cache, and lookups that missed.
    public var stats: (hits: Int, misses: Int) { store.withLock { ($0.hits, $0.misses) } }

    /// Drops every entry.
    public func clear() { store.withLock { $0.entries.removeAll() } }

    /// Changes the bound, evicting the oldest entries if needed.
    public func setMaxEntries(_ n: Int) {
        store.withLock { s in
            s.maxEntries = max(1, n)
            while s.entries.count > s.maxEntries { s.entries.removeFirst() }
        }
    }
}
