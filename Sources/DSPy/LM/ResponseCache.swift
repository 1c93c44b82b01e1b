import Foundation
import Logging

/// A response cache setting that cannot be used, or a disk store that could not be opened.
public struct ResponseCacheError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}

/// Cached LM responses, keyed by the request without credentials (`RequestKey`: model,
/// messages and every parameter, `rollout_id` included). A hit costs no tokens.
///
/// Two tiers, as in DSPy: a count-bounded in-memory LRU, then an optional SQLite file that
/// survives restarts and can be shared by several processes. A disk hit is promoted to memory.
/// The library keeps the disk tier off unless ``configureCache(enableMemory:enableDisk:directory:diskSizeLimitBytes:memoryMaxEntries:)``
/// turns it on or `DSPY_CACHEDIR` is set; `dspy-repl` turns it on by default.
public final class ResponseCache: Sendable, CustomStringConvertible {
    /// Default bound of the memory tier, in entries.
    public static let defaultMemoryMaxEntries = 10_000
    /// Default bound of the disk tier: `DSPY_CACHE_LIMIT` bytes if set, else 30 GB (DSPy's default).
    public static var defaultDiskSizeLimitBytes: Int {
        if let text = ProcessInfo.processInfo.environment["DSPY_CACHE_LIMIT"], !text.isEmpty {
            if let n = Int(text.trimmingCharacters(in: .whitespaces))
                ?? Double(text.trimmingCharacters(in: .whitespaces)).flatMap({ Int(exactly: $0.rounded()) }), n > 0
            {
                return n
            }
            logger.warning("\(LogText.oneLine("DSPY_CACHE_LIMIT=\(text) is not a positive number of bytes; using 30 GB"))")
        }
        return 30_000_000_000
    }
    /// The file name of the disk tier inside its directory.
    public static let fileName = "lm-cache.sqlite"

    /// The directory the disk tier uses when none is given: `$DSPY_CACHEDIR`, else
    /// `$XDG_CACHE_HOME/dspy-swift`, else `~/.cache/dspy-swift`; `nil` with no home directory.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let dir = environment["DSPY_CACHEDIR"], !dir.isEmpty { return (dir as NSString).expandingTildeInPath }
        return UserDirectories.path(.cache, "dspy-swift", environment: environment)
    }

    /// The process-wide cache every ``LM`` uses unless given another. Memory only, unless
    /// `DSPY_CACHEDIR` is set (then also on disk there; if that fails, a warning is logged).
    public static let shared: ResponseCache = {
        let cache = ResponseCache(memoryOnly: defaultMemoryMaxEntries)
        if let dir = ProcessInfo.processInfo.environment["DSPY_CACHEDIR"], !dir.isEmpty {
            try? cache.configure(enableDisk: true, directory: dir)  // configure logs the reason
        }
        return cache
    }()

    static let logger = Logger(label: "dspy.cache")

    /// What the cache holds and how lookups went.
    public struct Statistics: Sendable, Hashable {
        public var memoryEnabled: Bool
        public var memoryEntries: Int
        public var memoryMaxEntries: Int
        /// The SQLite file of the disk tier, `nil` when the disk tier is off.
        public var diskPath: String?
        public var diskEntries: Int
        /// Bytes of stored keys and responses (the file itself is somewhat larger).
        public var diskBytes: Int
        public var diskSizeLimitBytes: Int?
        public var memoryHits: Int
        public var diskHits: Int
        /// Lookups neither tier could answer.
        public var misses: Int
        /// The last disk-tier failure (the cache then carries on without that entry), if any.
        public var lastDiskError: String?
    }

    private struct State {
        var memory = LRUMap<String, LMResponse>()
        var memoryEnabled: Bool
        var memoryMaxEntries: Int
        var disk: DiskResponseStore?
        var memoryHits = 0
        var diskHits = 0
        var misses = 0
        var lastDiskError: String?
        var diskErrorsLogged = 0
        /// Keys whose request is being made right now, with the callers waiting for its result.
        var pending: [String: Pending] = [:]
        var nextWaiterID = 0

        mutating func trimMemory() {
            while memory.count > memoryMaxEntries { memory.removeLeastRecent() }
        }
    }
    private let state: Locked<State>

    /// A key reserved by the caller(s) that missed: they hold it until ``release(_:)``.
    private struct Pending {
        /// Callers that will call `release`: the one making the request, plus any waiter that
        /// was cancelled and returned a miss (it releases as soon as its call throws).
        var holders = 1
        var waiters: [(id: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private init(memoryOnly maxEntries: Int) {
        state = Locked(State(memoryEnabled: true, memoryMaxEntries: maxEntries))
    }

    /// A cache of your own (tests, or separate caches per program). The disk tier is on when
    /// `directory` is given: the file is `directory/lm-cache.sqlite`, created if needed.
    public convenience init(
        enableMemory: Bool = true, memoryMaxEntries: Int = ResponseCache.defaultMemoryMaxEntries,
        directory: String? = nil, diskSizeLimitBytes: Int? = nil
    ) throws {
        self.init(memoryOnly: ResponseCache.defaultMemoryMaxEntries)
        try configure(
            enableMemory: enableMemory, enableDisk: directory != nil, directory: directory,
            diskSizeLimitBytes: diskSizeLimitBytes, memoryMaxEntries: memoryMaxEntries)
    }

    /// Reconfigures both tiers (DSPy's `configure_cache`). The disk tier is on when `enableDisk`
    /// is true, or when it is `nil` and a `directory` is given or `DSPY_CACHEDIR` is set.
    /// Memory entries beyond the new bound are evicted; disabling memory empties it.
    ///
    /// If the disk file cannot be opened, the cache carries on in memory only and this throws
    /// the reason.
    public func configure(
        enableMemory: Bool = true, enableDisk: Bool? = nil, directory: String? = nil,
        diskSizeLimitBytes: Int? = nil, memoryMaxEntries: Int = ResponseCache.defaultMemoryMaxEntries
    ) throws {
        guard memoryMaxEntries > 0 else {
            throw ResponseCacheError(message: "`memory_max_entries` must be a positive number, but received \(memoryMaxEntries)")
        }
        if let diskSizeLimitBytes, diskSizeLimitBytes <= 0 {
            throw ResponseCacheError(message: "`disk_size_limit_bytes` must be a positive number, but received \(diskSizeLimitBytes)")
        }
        let envDirectory = ProcessInfo.processInfo.environment["DSPY_CACHEDIR"].flatMap { $0.isEmpty ? nil : $0 }
        let wantDisk = enableDisk ?? (directory != nil || envDirectory != nil)
        var store: DiskResponseStore?
        var failure: ResponseCacheError?
        if wantDisk {
            if let dir = (directory.map { ($0 as NSString).expandingTildeInPath }) ?? ResponseCache.defaultDirectory() {
                let path = (dir as NSString).appendingPathComponent(ResponseCache.fileName)
                do {
                    store = try DiskResponseStore(path: path, sizeLimitBytes: diskSizeLimitBytes ?? ResponseCache.defaultDiskSizeLimitBytes)
                } catch {
                    failure = ResponseCacheError(message: "cannot open the response cache at \(path): \(error); caching in memory only")
                }
            } else {
                failure = ResponseCacheError(message: "no directory for the response cache (HOME is not set); caching in memory only")
            }
        }
        state.withLock { s in
            s.memoryEnabled = enableMemory
            s.memoryMaxEntries = memoryMaxEntries
            if enableMemory { s.trimMemory() } else { s.memory.removeAll() }
            s.disk = store
            if let failure { s.lastDiskError = failure.message }
        }
        if let failure {
            ResponseCache.logger.warning("\(LogText.oneLine(failure.message))")
            throw failure
        }
    }

    /// True when at least one tier is on (otherwise lookups are skipped).
    var isEnabled: Bool { state.withLock { $0.memoryEnabled || $0.disk != nil } }

    /// The cache key of a request to `server` (see `RequestKey`).
    static func key(model: String, request: LMRequest, server: String?) -> String {
        RequestKey(model: model, request: request, server: server).hex
    }

    /// The response stored under `key`: memory first, then disk (a disk hit is promoted to
    /// memory). Disk failures count as misses.
    ///
    /// With `reserving`, a miss reserves the key for the caller, which must call
    /// ``release(_:)`` once it has stored the response (or failed); meanwhile other reserving
    /// callers asking for the same key wait and then read the stored response, so identical
    /// concurrent requests reach the server once.
    func get(_ key: String, reserving: Bool = false) async -> LMResponse? {
        enum Step { case memoryHit(LMResponse), wait, lead(DiskResponseStore?) }
        var step = Step.wait
        while case .wait = step {
            step = state.withLock { s -> Step in
                if s.memoryEnabled, let hit = s.memory.get(key) {
                    s.memoryHits += 1
                    return .memoryHit(hit)
                }
                guard reserving else { return .lead(s.disk) }
                if s.pending[key] != nil { return .wait }
                s.pending[key] = Pending()
                return .lead(s.disk)
            }
            if case .wait = step {
                await waitForPending(key)
                if Task.isCancelled {
                    // Give up waiting: report a miss (the call then throws CancellationError),
                    // as a co-holder so its release does not end the other caller's reservation.
                    state.withLock { s in
                        if s.pending[key] != nil { s.pending[key]?.holders += 1 } else { s.pending[key] = Pending() }
                        s.misses += 1
                    }
                    return nil
                }
            }
        }
        let disk: DiskResponseStore
        switch step {
        case .memoryHit(let hit): return hit
        case .wait, .lead(nil):
            state.withLock { $0.misses += 1 }
            return nil
        case .lead(let store?): disk = store
        }
        do {
            if let hit = try await disk.get(key) {
                state.withLock { s in
                    s.diskHits += 1
                    if s.memoryEnabled {
                        s.memory.set(key, hit)
                        s.trimMemory()
                    }
                }
                if reserving { release(key) }
                return hit
            }
        } catch {
            diskFailed(error, doing: "reading")
        }
        state.withLock { $0.misses += 1 }
        return nil
    }

    /// Suspends until the caller holding `key` releases it (or this task is cancelled).
    private func waitForPending(_ key: String) async {
        let id = state.withLock { s -> Int in
            s.nextWaiterID += 1
            return s.nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let enqueued = state.withLock { s -> Bool in
                    guard s.pending[key] != nil, !Task.isCancelled else { return false }
                    s.pending[key]?.waiters.append((id, c))
                    return true
                }
                if !enqueued { c.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
                guard let i = s.pending[key]?.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return s.pending[key]?.waiters.remove(at: i).continuation
            }
            waiter?.resume()
        }
    }

    /// Ends the reservation a missing ``get(_:)`` made, waking the callers waiting for `key`.
    func release(_ key: String) {
        let waiters = state.withLock { s -> [(id: Int, continuation: CheckedContinuation<Void, Never>)] in
            guard var p = s.pending[key] else { return [] }
            p.holders -= 1
            if p.holders > 0 {
                s.pending[key] = p
                return []
            }
            s.pending[key] = nil
            return p.waiters
        }
        for w in waiters { w.continuation.resume() }
    }

    /// Stores a successful response in both tiers (the disk write is its own transaction).
    func put(_ key: String, _ response: LMResponse) async {
        var stored = response
        stored.cacheHit = false
        let disk = state.withLock { s -> DiskResponseStore? in
            if s.memoryEnabled {
                s.memory.set(key, stored)
                s.trimMemory()
            }
            return s.disk
        }
        guard let disk else { return }
        do { try await disk.put(key, stored) } catch { diskFailed(error, doing: "writing") }
    }

    private func diskFailed(_ error: any Error, doing what: String) {
        let message = "response cache: \(what) failed: \(error)"
        let shouldLog = state.withLock { s -> Bool in
            s.lastDiskError = message
            s.diskErrorsLogged += 1
            return s.diskErrorsLogged <= 3
        }
        if shouldLog { ResponseCache.logger.warning("\(LogText.oneLine(message))") }
    }

    /// Empties both tiers (and gives the disk space back).
    public func clear() throws {
        let disk = state.withLock { s -> DiskResponseStore? in
            s.memory.removeAll()
            return s.disk
        }
        do { try disk?.clear() } catch {
            throw ResponseCacheError(message: "cannot clear the response cache at \(disk?.path ?? "?"): \(error)")
        }
    }

    /// Empties the memory tier only (DSPy's `reset_memory_cache`).
    public func clearMemory() { state.withLock { $0.memory.removeAll() } }

    /// Entries in the memory tier now.
    public var memoryCount: Int { state.withLock { $0.memory.count } }

    /// The disk tier's file, `nil` when it is off.
    public var diskPath: String? { state.withLock { $0.disk?.path } }

    /// Sizes and hit counts of both tiers. Reading the disk totals is one small query.
    public var statistics: Statistics {
        let (s, disk) = state.withLock { s in
            (
                Statistics(
                    memoryEnabled: s.memoryEnabled, memoryEntries: s.memory.count, memoryMaxEntries: s.memoryMaxEntries,
                    diskPath: s.disk?.path, diskEntries: 0, diskBytes: 0, diskSizeLimitBytes: s.disk?.sizeLimitBytes,
                    memoryHits: s.memoryHits, diskHits: s.diskHits, misses: s.misses, lastDiskError: s.lastDiskError), s.disk
            )
        }
        var stats = s
        if let disk {
            do {
                let totals = try disk.totals()
                stats.diskEntries = totals.entries
                stats.diskBytes = totals.bytes
            } catch {
                stats.lastDiskError = "reading the totals failed: \(error)"
            }
        }
        return stats
    }

    public var description: String {
        let s = state.withLock { ($0.memory.count, $0.disk?.path) }
        return "ResponseCache(memory: \(s.0) entries" + (s.1.map { ", disk: \($0)" } ?? "") + ")"
    }

    /// Memory keys from most to least recently used (for tests).
    var memoryKeysByRecency: [String] { state.withLock { $0.memory.keysByRecency } }

    /// The disk store, for tests.
    var diskStore: DiskResponseStore? { state.withLock { $0.disk } }
}

/// Configures the shared response cache (DSPy's `dspy.configure_cache`): the memory tier and
/// its bound, and whether responses are also kept in a SQLite file under `directory` (default
/// `$DSPY_CACHEDIR`, `$XDG_CACHE_HOME/dspy-swift` or `~/.cache/dspy-swift`) up to
/// `diskSizeLimitBytes` (default `$DSPY_CACHE_LIMIT` or 30 GB). With `enableDisk` left `nil`,
/// the disk tier is on when a directory is given or `DSPY_CACHEDIR` is set.
///
/// Throws when a bound is not positive, or when the disk file cannot be opened (the cache then
/// keeps working in memory).
public func configureCache(
    enableMemory: Bool = true, enableDisk: Bool? = nil, directory: String? = nil,
    diskSizeLimitBytes: Int? = nil, memoryMaxEntries: Int = ResponseCache.defaultMemoryMaxEntries
) throws {
    try ResponseCache.shared.configure(
        enableMemory: enableMemory, enableDisk: enableDisk, directory: directory,
        diskSizeLimitBytes: diskSizeLimitBytes, memoryMaxEntries: memoryMaxEntries)
}
