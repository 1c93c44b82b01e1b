// Tasks on the event loops that carry LM requests (IOExecutor): they run there, the pool serves
// them with a connection on their own loop, and scopes follow thousands of such tasks through
// their calls.

import NIOCore
import NIOPosix
import Synchronization
import TestSupport
import Testing

@testable import DSPy

@Suite struct IOExecutorTests {
    @Test func aTaskOnAnIOExecutorRunsOnItsLoopAcrossSuspensions() async throws {
        #expect(IOExecutor.current == nil, "a test runs on Swift's default executor")
        for executor in IOExecutor.all {
            let stayed = try await withTaskExecutorPreference(executor) { () async throws -> Bool in
                var same = IOExecutor.current === executor
                await Task.yield()
                same = same && IOExecutor.current === executor
                try await Task.sleep(for: .milliseconds(1))
                return same && IOExecutor.current === executor
            }
            #expect(stayed)
        }
    }

    @Test func nextTakesTurnsOverEveryLoop() {
        let count = IOExecutor.all.count
        #expect(count == System.coreCount)
        // Other tests take turns too (the shell's calls), so ask often enough to see every loop.
        let turns = (0..<100 * count).map { _ in ObjectIdentifier(IOExecutor.next()) }
        #expect(Set(turns) == Set(IOExecutor.all.map(ObjectIdentifier.init)))
    }

    @Test func aCallerOnALoopIsServedByAConnectionOnThatLoop() async throws {
        let server = try await LoopbackServer.start { _ in completionReply("ok") }
        defer { server.shutdownNow() }
        let pool = HTTP1Pool()
        let target = try #require(HTTP1Pool.Target(url: server.baseURL + "/v1/chat/completions"))
        @Sendable func send() async throws -> Int {
            try await pool.send(target, headers: [], body: Array("{}".utf8), timeout: .seconds(30), maxBytes: 1 << 20).status
        }
        // From the default executor: a connection on whichever loop.
        #expect(try await send() == 200)
        #expect(server.connectionsAccepted == 1)
        // A caller on each loop in turn gets a connection on its own loop (the first caller's
        // loop already has one), and keeps using it, also when callers alternate loops.
        for executor in IOExecutor.all {
            try await withTaskExecutorPreference(executor) { () async throws in
                for _ in 0..<5 { #expect(try await send() == 200) }
            }
        }
        #expect(server.connectionsAccepted == IOExecutor.all.count, "one connection per loop")
        for executor in IOExecutor.all + IOExecutor.all {
            try await withTaskExecutorPreference(executor) { () async throws in #expect(try await send() == 200) }
        }
        #expect(server.connectionsAccepted == IOExecutor.all.count, "each loop's own connection is reused")
        #expect(server.openConnections == IOExecutor.all.count)
    }

    @Test func atItsConnectionLimitACallerOnALoopUsesAnotherLoopsConnection() async throws {
        let server = try await LoopbackServer.start { _ in completionReply("ok") }
        defer { server.shutdownNow() }
        let pool = HTTP1Pool(maxConnectionsPerEndpoint: 1)
        let target = try #require(HTTP1Pool.Target(url: server.baseURL + "/v1/chat/completions"))
        for executor in [nil] + IOExecutor.all {
            try await withTaskExecutorPreference(executor) { () async throws in
                let reply = try await pool.send(target, headers: [], body: Array("{}".utf8), timeout: .seconds(30), maxBytes: 1 << 20)
                #expect(reply.status == 200)
            }
        }
        #expect(server.connectionsAccepted == 1)
    }

    @Test func aParallelRunStartedOnALoopSpreadsItsItemsOverTheDefaultExecutor() async throws {
        // Child tasks inherit their parent's executor: without saying otherwise, every item of a
        // run started from a loop (as in the shell) would share that one loop's thread.
        let onLoop = Atomic<Int>(0)
        let executor = try #require(IOExecutor.all.first)
        let results = try await withTaskExecutorPreference(executor) { () async throws -> BatchResults<Int> in
            try await parallelMap(Array(0..<64), options: ParallelOptions(numThreads: 8, disableProgressBar: true)) { i in
                await Task.yield()
                if IOExecutor.current != nil { onLoop.add(1, ordering: .relaxed) }
                return i
            }
        }
        #expect(results.outputs == (0..<64).map { $0 })
        #expect(onLoop.load(ordering: .relaxed) == 0)
    }

    @Test func stressThousandsOfCallsOnTheLoopsEachKeepTheirOwnScope() async throws {
        // 100 callers on the loops make 30 calls each, every call in a scope of its own. The call
        // asks with the scope's temperature; the server answers with the temperature it received,
        // and the caller checks the answer and its scope afterwards. (Callers that each make a
        // series of calls, as on a loop in real use: thousands of tasks starting at once would
        // hold the loops long enough to delay the other tests' servers.)
        let server = try await LoopbackServer.start { request in
            let temperature = request.json?["temperature"].doubleValue ?? -1
            return completionReply("\(Int((temperature * 10_000).rounded()))")
        }
        defer { server.shutdownNow() }
        let lm = try LM("openai/m", apiBase: server.baseURL + "/v1", apiKey: "sk-test", cache: false)
        let (callers, calls) = (100, 30)
        let wrong = try await withThrowingTaskGroup(of: Int.self) { group in
            for caller in 0..<callers {
                group.addTask(executorPreference: IOExecutor.next()) {
                    var wrong = 0
                    for call in 0..<calls {
                        let i = caller * calls + call
                        wrong += try await Settings.current.context(["temperature": Double(i) / 10_000, "task": i]) { () async throws -> Int in
                            let reply = try await lm.call(messages: [Message.user("q\(i)")], parameters: [:])
                            let scoped = Settings.current.get("task", as: Int.self)
                            return reply.outputs == ["\(i)"] && scoped == i && IOExecutor.current != nil ? 0 : 1
                        }
                    }
                    return wrong
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(wrong == 0)
        #expect(server.requests.count == callers * calls)
        #expect(server.connectionsAccepted <= callers, "a connection per caller at most")
    }
}
