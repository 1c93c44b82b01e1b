// Tasks on the event loops that carry LM requests (IOExecutor): they run there, the pool serves
// them with a connection on their own loop, parallel runs put their workers there, and scopes
// follow thousands of such tasks through their calls.

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
        let turns = (0..<count).map { _ in ObjectIdentifier(IOExecutor.next()) }
        #expect(Set(turns).count == count)
    }

    @Test func aCallerOnALoopIsServedByAConnectionOnThatLoop() async throws {
        let server = try await LoopbackServer.start { _ in completionReply("ok") }
        defer { server.shutdownNow() }
        let pool = HTTP1Pool()
        let target = try #require(HTTP1Pool.Target(url: server.baseURL + "/v1/chat/completions"))
        @Sendable func send() async throws -> Int {
            try await pool.send(target, headers: [], body: ByteBuffer(string: "{}"), timeout: .seconds(30), maxBytes: 1 << 20).status
        }
        // From the default executor: a connection on whichever loop.
        #expect(try await send() == 200)
        #expect(server.connectionsAccepted == 1)
        // Each loop in turn: its caller replaces the idle connection of another loop with one of
        // its own (at most one new connection per loop), then keeps reusing it.
        for executor in IOExecutor.all {
            let before = server.connectionsAccepted
            try await withTaskExecutorPreference(executor) { () async throws in
                for _ in 0..<5 { #expect(try await send() == 200) }
            }
            #expect((before...before + 1).contains(server.connectionsAccepted))
            #expect(await server.waitUntil { $0.openConnections == 1 }, "the replaced connection is closed")
        }
        let settled = server.connectionsAccepted
        #expect(settled >= IOExecutor.all.count, "every loop got a connection of its own")
        let executor = try #require(IOExecutor.all.last)
        try await withTaskExecutorPreference(executor) { () async throws in
            for _ in 0..<10 { #expect(try await send() == 200) }
        }
        #expect(server.connectionsAccepted == settled, "the loop's own connection is reused")
        #expect(server.requests.count == 1 + 5 * IOExecutor.all.count + 10)
    }

    @Test func parallelWorkersRunOnTheIOExecutors() async throws {
        let seen = Locked<Set<ObjectIdentifier>>([])
        let onLoop = Atomic<Int>(0)
        let results = try await parallelMap(Array(0..<64), options: ParallelOptions(numThreads: 8, disableProgressBar: true)) { i in
            await Task.yield()
            if let here = IOExecutor.current {
                onLoop.add(1, ordering: .relaxed)
                seen.withLock { _ = $0.insert(ObjectIdentifier(here)) }
            }
            return i
        }
        #expect(results.outputs == (0..<64).map { $0 })
        #expect(onLoop.load(ordering: .relaxed) == 64)
        #expect(seen.withLock { $0.count } == IOExecutor.all.count, "the workers are spread over every loop")
    }

    @Test func stressThousandsOfCallsOnTheLoopsEachKeepTheirOwnScope() async throws {
        // Each task asks with its own temperature in scope; the server answers with the
        // temperature it received, and the task checks the answer and its own scope afterwards.
        let server = try await LoopbackServer.start { request in
            let temperature = request.json?["temperature"].doubleValue ?? -1
            return completionReply("\(Int((temperature * 10_000).rounded()))")
        }
        defer { server.shutdownNow() }
        let lm = try LM("openai/m", apiBase: server.baseURL + "/v1", apiKey: "sk-test", cache: false)
        let count = 3_000
        let wrong = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<count {
                group.addTask(executorPreference: IOExecutor.next()) {
                    try await Settings.current.context(["temperature": Double(i) / 10_000, "task": i]) { () async throws -> Int in
                        let reply = try await lm.call(messages: [Message.user("q\(i)")], parameters: [:])
                        let scoped = Settings.current.get("task", as: Int.self)
                        return reply.outputs == ["\(i)"] && scoped == i && IOExecutor.current != nil ? 0 : 1
                    }
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(wrong == 0)
        #expect(server.requests.count == count)
    }
}
