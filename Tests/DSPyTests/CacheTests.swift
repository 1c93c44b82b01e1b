// The two-tier response cache: the O(1) memory LRU, the SQLite tier (restarts, size limit,
// clearing, two writers on one file, an abandoned transaction), and LM calls through it under
// parallel load. Every test uses its own ResponseCache in its own temporary directory.

import Foundation
import TestSupport
import Testing
@testable import DSPy

private func response(_ text: String) -> LMResponse {
    LMResponse(
        choices: [LMChoice(text: text, finishReason: "stop")], usage: TokenUsage(promptTokens: 3, completionTokens: 4), model: "m",
        raw: ["id": .string("raw-" + text)])
}

/// `PRAGMA integrity_check` on a file, through a connection of its own.
private func integrityCheck(_ path: String) throws -> [String] {
    let db = try SQLiteConnection(path: path)
    defer { db.close() }
    var lines: [String] = []
    try db.query("PRAGMA integrity_check") { lines.append($0.text(0) ?? "") }
    return lines
}

@Suite("Response cache")
struct CacheTests {

    // MARK: Memory tier

    @Test func lruMapMatchesAReferenceModel() {
        // A deterministic pseudo-random mix of sets, gets, removals and evictions, checked
        // against an array kept in recency order.
        var map = LRUMap<Int, Int>()
        var model: [(key: Int, value: Int)] = []  // most recent first
        var seed: UInt64 = 0x2545F4914F6CDD1D
        func next(_ n: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(n))
        }
        for step in 0..<5_000 {
            let key = next(40)
            switch next(10) {
            case 0..<4:
                map.set(key, step)
                model.removeAll { $0.key == key }
                model.insert((key, step), at: 0)
            case 4..<7:
                let got = map.get(key)
                if let i = model.firstIndex(where: { $0.key == key }) {
                    let entry = model.remove(at: i)
                    model.insert(entry, at: 0)
                    #expect(got == entry.value)
                } else {
                    #expect(got == nil)
                }
            case 7, 8:
                let removed = map.remove(key)
                let expected = model.firstIndex { $0.key == key }.map { model.remove(at: $0).value }
                #expect(removed == expected)
            default:
                let evicted = map.removeLeastRecent()
                let expected = model.popLast()
                #expect(evicted?.key == expected?.key && evicted?.value == expected?.value)
            }
            #expect(map.count == model.count)
        }
        #expect(map.keysByRecency == model.map(\.key))
    }

    @Test func memoryEvictsTheLeastRecentlyUsedEntry() async throws {
        let cache = try ResponseCache(memoryMaxEntries: 3)
        for k in ["a", "b", "c"] { await cache.put(k, response(k)) }
        #expect(await cache.get("a")?.outputs == ["a"])  // a becomes the most recent
        await cache.put("d", response("d"))  // evicts b, the least recent

        #expect(cache.memoryKeysByRecency == ["d", "a", "c"])
        #expect(await cache.get("b") == nil)
        #expect(await cache.get("c")?.outputs == ["c"])
        let stats = cache.statistics
        #expect(stats.memoryEntries == 3 && stats.memoryHits == 2 && stats.misses == 1)
        #expect(stats.diskPath == nil)

        // Lowering the bound evicts from the old end.
        try cache.configure(memoryMaxEntries: 1)
        #expect(cache.memoryKeysByRecency == ["c"])
    }

    @Test func boundsMustBePositive() throws {
        let error = #expect(throws: ResponseCacheError.self) { try ResponseCache(memoryMaxEntries: 0) }
        #expect(error?.message == "`memory_max_entries` must be a positive number, but received 0")
        let cache = try ResponseCache()
        #expect(throws: ResponseCacheError.self) { try cache.configure(diskSizeLimitBytes: -1) }
    }

    @Test func responsesSurviveTheDiskRoundTrip() throws {
        var r = response("text with \"quotes\" and\nnewlines é")
        r.choices.append(LMChoice(text: nil, finishReason: "length"))
        let decoded = try #require(LMResponse(cacheJSON: r.cacheJSON))
        #expect(decoded == r)
        #expect(LMResponse(cacheJSON: "not json") == nil)
        #expect(LMResponse(cacheJSON: "{\"choices\": 3}") == nil)
    }

    // MARK: Disk tier

    @Test func diskHitAfterARestart() async throws {
        let dir = try temporaryDirectory("cache-restart")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await LoopbackServer.start { request in completionReply("answer \(request.index)") }
        defer { server.shutdownNow() }
        let messages: [Message] = [.user("restart test")]

        let first = try ResponseCache(directory: dir)
        let lm1 = try LM("openai/test-model", apiBase: server.baseURL + "/v1", apiKey: "sk-test", responseCache: first)
        let original = try await lm1.call(messages: messages, parameters: [:])
        #expect(original.cacheHit == false && original.usage?.totalTokens == 7)
        #expect(server.requests.count == 1)

        // A new process would build a fresh cache on the same file: its memory is empty.
        let second = try ResponseCache(directory: dir)
        #expect(second.memoryCount == 0)
        #expect(second.diskPath == dir + "/lm-cache.sqlite")
        let lm2 = try LM("openai/test-model", apiBase: server.baseURL + "/v1", apiKey: "another-key", responseCache: second)
        let again = try await lm2.call(messages: messages, parameters: [:])
        #expect(server.requests.count == 1, "the disk tier answered; no request")
        #expect(again.cacheHit == true)
        #expect(again.usage == nil)
        #expect(again.outputs == original.outputs)
        #expect(again.raw == original.raw)
        #expect(second.statistics.diskHits == 1)
        #expect(second.memoryCount == 1, "a disk hit is promoted to memory")

        _ = try await lm2.call(messages: messages, parameters: [:])
        let stats = second.statistics
        #expect(stats.memoryHits == 1 && stats.diskHits == 1 && stats.misses == 0)
        #expect(stats.diskEntries == 1 && stats.diskBytes > 0)
        #expect(server.requests.count == 1)
    }

    @Test func sizeLimitEvictsLeastRecentlyUsedRows() throws {
        let dir = try temporaryDirectory("cache-limit")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let keys = (0..<6).map { "key-\($0)" }
        let size = keys[0].utf8.count + response("value-0").cacheJSON.utf8.count  // every entry has this size
        let limit = 5 * size + size / 2
        let store = try DiskResponseStore(path: dir + "/lm-cache.sqlite", sizeLimitBytes: limit)
        for i in 0..<5 { try store.putNow(keys[i], response("value-\(i)")) }
        #expect(try store.totals() == (5, 5 * size))
        #expect(try store.getNow(keys[0])?.outputs == ["value-0"])  // key-0 is now the most recent of the five

        try store.putNow(keys[5], response("value-5"))  // 6 entries > limit: evict down to 90% of it
        let present = try keys.map { try store.getNow($0) != nil }
        #expect(present == [true, false, false, true, true, true], "key-1 and key-2 were the least recently used")
        let totals = try store.totals()
        #expect(totals.entries == 4 && totals.bytes == 4 * size)
        #expect(totals.bytes <= limit)

        // The totals kept by triggers match the rows.
        let (rows, bytes) = try store.database.withConnection { db in
            (try db.scalar("SELECT COUNT(*) FROM responses"), try db.scalar("SELECT SUM(size) FROM responses"))
        }
        #expect(rows == 4 && bytes == Int64(4 * size))
    }

    @Test func clearEmptiesBothTiers() async throws {
        let dir = try temporaryDirectory("cache-clear")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cache = try ResponseCache(directory: dir)
        for i in 0..<10 { await cache.put("k\(i)", response("v\(i)")) }
        #expect(cache.statistics.diskEntries == 10 && cache.memoryCount == 10)

        cache.clearMemory()
        #expect(cache.memoryCount == 0)
        #expect(await cache.get("k3")?.outputs == ["v3"], "still on disk")

        try cache.clear()
        let stats = cache.statistics
        #expect(stats.memoryEntries == 0 && stats.diskEntries == 0 && stats.diskBytes == 0)
        #expect(await cache.get("k3") == nil)
        #expect(try ResponseCache(directory: dir).statistics.diskEntries == 0, "cleared in the file")
    }

    @Test func anUnusableDirectoryFallsBackToMemory() async throws {
        let dir = try temporaryDirectory("cache-bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/not-a-directory"
        #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))

        let cache = try ResponseCache()
        let error = #expect(throws: ResponseCacheError.self) { try cache.configure(enableDisk: true, directory: file) }
        #expect(error?.message.contains(file) == true)
        #expect(error?.message.contains("memory only") == true)
        #expect(cache.diskPath == nil)
        #expect(cache.statistics.lastDiskError != nil)
        await cache.put("k", response("v"))
        #expect(await cache.get("k")?.outputs == ["v"])
    }

    @Test func twoCachesWritingOneFileStayConsistent() async throws {
        let dir = try temporaryDirectory("cache-shared")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = try ResponseCache(memoryMaxEntries: 8, directory: dir)
        let b = try ResponseCache(memoryMaxEntries: 8, directory: dir)
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<400 {
                let cache = i.isMultiple(of: 2) ? a : b
                group.addTask {
                    let k = "key-\(i % 50)"
                    await cache.put(k, response("value-\(i % 50)"))
                    if let got = await cache.get("key-\((i * 7) % 50)") {
                        #expect(got.outputs == ["value-\((i * 7) % 50)"])
                    }
                }
            }
        }
        #expect(try integrityCheck(dir + "/lm-cache.sqlite") == ["ok"])
        let fresh = try DiskResponseStore(path: dir + "/lm-cache.sqlite", sizeLimitBytes: 1 << 30)
        for i in 0..<50 {
            #expect(try fresh.getNow("key-\(i)")?.outputs == ["value-\(i)"])
        }
        #expect(try fresh.totals().entries == 50)
        #expect(a.statistics.lastDiskError == nil && b.statistics.lastDiskError == nil)
    }

    @Test func anAbandonedTransactionLosesOnlyItsEntry() async throws {
        let dir = try temporaryDirectory("cache-crash")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/lm-cache.sqlite"
        let cache = try ResponseCache(directory: dir)
        for i in 0..<10 { await cache.put("k\(i)", response("v\(i)")) }

        // Another writer dies mid-put: its transaction began and inserted, but never committed.
        let crashing = try SQLiteConnection(path: path)
        try crashing.execute("BEGIN IMMEDIATE")
        try crashing.run(
            "INSERT INTO responses(key, value, size, created, accessed) VALUES (?, ?, ?, ?, ?)",
            [.text("lost"), .text(response("lost").cacheJSON), .int(100), .int(1), .int(1)])
        crashing.close()

        await cache.put("k10", response("v10"))  // the file is writable again
        #expect(try integrityCheck(path) == ["ok"])
        let fresh = try DiskResponseStore(path: path, sizeLimitBytes: 1 << 30)
        #expect(try fresh.getNow("lost") == nil)
        for i in 0...10 { #expect(try fresh.getNow("k\(i)")?.outputs == ["v\(i)"]) }
        #expect(try fresh.totals().entries == 11)
    }

    @Test func aWriterKilledMidWriteLeavesAConsistentFile() async throws {
        let dir = try temporaryDirectory("cache-kill")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = dir + "/out"
        let pid = try startChild([builtProduct("dspy-bench"), "cache-writer", dir + "/cache"], stdoutFile: out, stderrFile: dir + "/err")
        var started = false
        for _ in 0..<500 where !started {
            started = ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").contains("writing")
            if !started { try await Task.sleep(for: .milliseconds(20)) }
        }
        // Let it write a while (at least 50 entries), then kill it, most likely in the middle of a put.
        let path = dir + "/cache/lm-cache.sqlite"
        for _ in 0..<1000 {
            let rows = (try? DiskResponseStore(path: path, sizeLimitBytes: 1 << 30).totals().entries) ?? 0
            if rows >= 50 { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        kill(pid, SIGKILL)
        _ = try await offThePool { waitForChild(pid) }
        #expect(started, "the writer never started: \((try? String(contentsOfFile: dir + "/err", encoding: .utf8)) ?? "")")

        #expect(try integrityCheck(path) == ["ok"])
        let store = try DiskResponseStore(path: path, sizeLimitBytes: 1 << 30)
        let db = try SQLiteConnection(path: path)
        defer { db.close() }
        var keys: [String] = []
        try db.query("SELECT key FROM responses") { keys.append($0.text(0) ?? "") }
        #expect(keys.count >= 50)
        #expect(try store.totals().entries == keys.count, "the running totals match the rows")
        for key in keys { #expect(try store.getNow(key) != nil, "every stored entry reads back whole") }
    }

    // MARK: LM calls

    @Test func parallelBatchHitsAndBypasses() async throws {
        let server = try await LoopbackServer.start { request in
            try? await Task.sleep(for: .milliseconds(20))  // keep requests in flight so workers overlap
            let user = request.json?["messages"].arrayValue?.last?["content"].stringValue ?? ""
            let question = user.split(separator: "\n").dropFirst().first.map(String.init) ?? "?"
            return completionReply("[[ ## answer ## ]]\nanswer to \(question)\n\n[[ ## completed ## ]]")
        }
        defer { server.shutdownNow() }
        let cache = try ResponseCache()
        let lm = try LM("openai/test-model", apiBase: server.baseURL + "/v1", apiKey: "sk-test", responseCache: cache)
        let qa = try Predict("question -> answer", lm: lm)
        let inputs: [Inputs] = (0..<200).map { ["question": .string("q\($0 % 20)")] }

        let results = try await qa.batch(inputs, numThreads: 32, disableProgressBar: true)
        #expect(server.requests.count == 20, "one request per distinct question")
        for (i, item) in results.items.enumerated() {
            #expect(item.output?["answer"] == .string("answer to q\(i % 20)"))
        }
        #expect(cache.statistics.misses == 20)

        // cache: false bypasses it: every item is a request.
        let uncached = try Predict("question -> answer", lm: lm.copy(cache: false))
        _ = try await uncached.batch(inputs, numThreads: 32, disableProgressBar: true)
        #expect(server.requests.count == 220)

        // Distinct rollout ids miss, even for the same question; repeating one hits.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<20 {
                group.addTask { _ = try await lm.call(messages: [.user("rollouts")], parameters: ["rollout_id": .int(i), "temperature": 1.0]) }
            }
            try await group.waitForAll()
        }
        #expect(server.requests.count == 240)
        let repeated = try await lm.call(messages: [.user("rollouts")], parameters: ["rollout_id": 3, "temperature": 1.0])
        #expect(repeated.cacheHit)
        #expect(server.requests.count == 240)
    }

    @Test func aFailedLeaderLetsTheNextCallerTry() async throws {
        // While the first request fails, an identical concurrent call waits, then makes its own.
        let server = try await LoopbackServer.start { request in
            try? await Task.sleep(for: .milliseconds(50))
            return request.index == 0 ? .json(status: 400, ["error": ["message": "bad"]]) : completionReply("fine")
        }
        defer { server.shutdownNow() }
        let cache = try ResponseCache()
        let lm = try LM("openai/test-model", apiBase: server.baseURL + "/v1", apiKey: "sk-test", numRetries: 0, responseCache: cache)
        async let first: LMResponse? = try? lm.call(messages: [.user("same")], parameters: [:])
        try await Task.sleep(for: .milliseconds(10))
        async let second: LMResponse? = try? lm.call(messages: [.user("same")], parameters: [:])
        let results = await [first, second]
        #expect(results.compactMap { $0?.outputs }.flatMap { $0 } == ["fine"])
        #expect(server.requests.count == 2)
    }

    @Test func cacheHitsAddNoUsage() async throws {
        let server = try await LoopbackServer.start { _ in completionReply("hi") }
        defer { server.shutdownNow() }
        let dir = try temporaryDirectory("cache-usage")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let lm = try LM("openai/test-model", apiBase: server.baseURL + "/v1", apiKey: "sk-test", responseCache: try ResponseCache(directory: dir))
        let (_, tracker) = try await trackUsage {
            for _ in 0..<3 { _ = try await lm.call(messages: [.user("usage")], parameters: [:]) }
        }
        #expect(tracker.totals["openai/test-model"] == TokenUsage(promptTokens: 5, completionTokens: 2, totalTokens: 7))

        // A disk hit (fresh memory) costs nothing either.
        let lm2 = try LM("openai/test-model", apiBase: server.baseURL + "/v1", apiKey: "sk-test", responseCache: try ResponseCache(directory: dir))
        let (_, tracker2) = try await trackUsage { _ = try await lm2.call(messages: [.user("usage")], parameters: [:]) }
        #expect(tracker2.totals.isEmpty)
        #expect(server.requests.count == 1)
    }
}
