// The SQLite call log: what a successful, cached and failed call leave in it, reading it back,
// and that API keys never reach the file.

import Foundation
import OrderedCollections
import TestSupport
import Testing
@testable import DSPy

private let secretKey = "sk-test-SECRET-7d1e4c2b9a"

/// Every byte of the database and its WAL and shared-memory files.
private func databaseBytes(_ path: String) -> Data {
    var all = Data()
    for suffix in ["", "-wal", "-shm"] {
        if let d = FileManager.default.contents(atPath: path + suffix) { all.append(d) }
    }
    return all
}

@Suite("Call log")
struct CallLogTests {
    @Test func offByDefault() {
        #expect(Settings().callLog == nil)
    }

    @Test func recordsSuccessCacheHitAndFailureWithoutTheKey() async throws {
        let server = try await LoopbackServer.start { request in
            if request.bodyString.contains("please fail") {
                // A provider that echoes the key back in its error must not get it into the log.
                return .json(status: 401, ["error": ["message": .string("Incorrect API key provided: \(secretKey)")]])
            }
            return completionReply("Paris\nsecond line")
        }
        defer { server.shutdownNow() }
        let dir = try temporaryDirectory("calllog")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = try CallLog(path: dir + "/logs/calls.sqlite")
        let settings = Settings()
        try settings.configure(["call_log": log])
        let lm = try LM(
            "openai/test-model", temperature: 0.5, apiBase: server.baseURL + "/v1", apiKey: secretKey, numRetries: 0,
            responseCache: try ResponseCache())

        try await settings.bind {
            _ = try await lm.call(messages: [.system("Be brief."), .user("Capital of France?")], parameters: ["max_tokens": 50])
            _ = try await lm.call(messages: [.system("Be brief."), .user("Capital of France?")], parameters: ["max_tokens": 50])
            await #expect(throws: LMError.self) { try await lm.call(messages: [.user("please fail")], parameters: [:]) }
        }

        let records = try log.recent(10)
        try #require(records.count == 3)
        let (ok, hit, failed) = (records[0], records[1], records[2])
        #expect(records.map(\.id) == records.map(\.id).sorted(), "oldest first")

        #expect(ok.model == "openai/test-model")
        #expect(ok.messages == [.system("Be brief."), .user("Capital of France?")])
        #expect(ok.parameters == ["temperature": 0.5, "max_tokens": 50])
        #expect(ok.outputs == ["Paris\nsecond line"])
        #expect(ok.usage == TokenUsage(promptTokens: 5, completionTokens: 2, totalTokens: 7))
        #expect(ok.cacheHit == false && ok.succeeded && ok.errorKind == nil && ok.errorMessage == nil)
        #expect(ok.duration >= .zero)
        #expect(abs(ok.startedAt.timeIntervalSinceNow) < 300)

        #expect(hit.cacheHit == true)
        #expect(hit.usage == nil, "a cache hit spends no tokens")
        #expect(hit.outputs == ok.outputs)

        #expect(failed.succeeded == false)
        #expect(failed.errorKind == "authentication")
        let message = try #require(failed.errorMessage)
        #expect(message.contains("Incorrect API key provided: <redacted>"), "\(message)")
        #expect(failed.outputs.isEmpty && failed.usage == nil)

        #expect(try log.record(id: failed.id) == failed)
        #expect(try log.record(id: failed.id + 100) == nil)
        #expect(try log.count() == 3)

        // The key is nowhere in the files, not even in the write-ahead log.
        let bytes = databaseBytes(log.path)
        #expect(!bytes.isEmpty)
        #expect(bytes.range(of: Data(secretKey.utf8)) == nil, "the API key was written to the call log")
    }

    @Test func recentLimitsAndFiltersByModel() async throws {
        let dir = try temporaryDirectory("calllog-recent")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = try CallLog(path: dir + "/calls.sqlite")
        for i in 0..<7 {
            await log.append(
                CallLog.Entry(
                    startedAt: Date(), duration: .milliseconds(i), model: i.isMultiple(of: 2) ? "even" : "odd",
                    messages: [.user("m\(i)")], parameters: ["api_key": "hidden", "api_base": "http://x", "n": 1],
                    outputs: ["o\(i)"], usage: nil, cacheHit: false))
        }
        #expect(try log.recent(3).map(\.outputs) == [["o4"], ["o5"], ["o6"]])
        #expect(try log.recent(10, model: "odd").map(\.outputs) == [["o1"], ["o3"], ["o5"]])
        #expect(try log.recent(0).isEmpty)
        let last = try #require(try log.recent(1).first)
        #expect(last.parameters == ["n": 1], "api_* keys are never stored")
        #expect(last.duration == .milliseconds(6))

        // A second handle on the same file (another process) sees the same rows.
        #expect(try CallLog(path: dir + "/calls.sqlite").count() == 7)
    }

    @Test func keepsOnlyTheNewestCallsAndClears() async throws {
        let dir = try temporaryDirectory("calllog-retention")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func entry(_ i: Int) -> CallLog.Entry {
            CallLog.Entry(
                startedAt: Date(), duration: .zero, model: "m", messages: [.user("m\(i)")], parameters: [:],
                outputs: ["o\(i)"], usage: nil, cacheHit: false)
        }
        let small = try CallLog(path: dir + "/small.sqlite", maxRecords: 5)
        for i in 0..<40 { await small.append(entry(i)) }
        #expect(try small.count() == 5)
        #expect(try small.recent(10).map(\.outputs) == (35..<40).map { ["o\($0)"] })

        let large = try CallLog(path: dir + "/large.sqlite", maxRecords: 100)
        for i in 0..<300 { try large.appendNow(entry(i)) }
        let kept = try large.count()
        #expect(kept >= 100 && kept < 100 + 64, "pruned in batches of 64 rows, kept \(kept)")
        #expect(try large.recent(1).first?.outputs == ["o299"])

        try large.clear()
        #expect(try large.count() == 0)
        #expect(try CallLog(path: dir + "/unbounded.sqlite", maxRecords: nil).maxRecords == nil)
    }

    /// Remembers the ids of the LM calls it sees.
    final class LMCallIDs: Callback {
        let ids = Locked<[String]>([])
        func onLMStart(_ call: CallInfo, lm: LM, messages: [Message], parameters: OrderedDictionary<String, Value>) {
            ids.withLock { $0.append(call.id) }
        }
    }

    @Test func callIDsAreTheOnesCallbacksSee() async throws {
        let dir = try temporaryDirectory("calllog-ids")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = try CallLog(path: dir + "/calls.sqlite")
        let settings = Settings()
        try settings.configure(["call_log": log])
        let observer = LMCallIDs()
        let observed = LM(model: "dummy", backend: DummyBackend())
        let watched = LM(model: "dummy", backend: DummyBackend(), callbacks: [observer])
        try await settings.bind {
            _ = try await observed.call(messages: [.user("unobserved")], parameters: [:])
            _ = try await watched.call(messages: [.user("observed")], parameters: [:])
        }
        let records = try log.recent(2)
        try #require(records.count == 2)
        #expect(records[0].callID == nil)
        #expect(records[1].callID != nil && records[1].callID == observer.ids.withLock { $0.first })
    }

    @Test func cancelledCallsAreLogged() async throws {
        let server = try await LoopbackServer.start { _ in
            try? await Task.sleep(for: .seconds(5))
            return completionReply("late")
        }
        defer { server.shutdownNow() }
        let dir = try temporaryDirectory("calllog-cancel")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = try CallLog(path: dir + "/calls.sqlite")
        let settings = Settings()
        try settings.configure(["call_log": log])
        let lm = try LM("openai/test-model", apiBase: server.baseURL + "/v1", apiKey: "k", cache: false)
        let task = Task { try await settings.bind { try await lm.call(messages: [.user("slow")], parameters: [:]) } }
        _ = await server.waitUntil { $0.requests.count == 1 }
        task.cancel()
        _ = await task.result
        let records = try log.recent(5)
        #expect(records.count == 1)
        #expect(records.first?.errorKind == "cancelled")
        #expect(records.first?.messages == [.user("slow")])
    }
}
