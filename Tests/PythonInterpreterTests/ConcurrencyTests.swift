import Foundation
import Testing
@testable import PythonInterpreter

extension PythonInterpreterTests {
    /// Generators, tasks and cancellation: threads come back, order is asyncio's, nothing hangs.
    @Suite struct ConcurrencyTests {
        /// Python threads other test targets (the shell's) may hold at any moment: they run
        /// interpreters beside this suite. A leak here would hold hundreds (one per generator
        /// or task), far above it.
        static let othersSlack = 64

        /// Waits (up to `seconds`) until at most `limit` Python threads are busy (a thread running
        /// a finished task or an abandoned generator goes back to the pool soon after).
        func busyThreads(settleAtMost limit: Int, within seconds: Double = 20) async -> Int {
            let deadline = Date().addingTimeInterval(seconds)
            var count = PythonThreads.shared.busyThreadCount
            while count > limit && Date() < deadline {
                try? await Task.sleep(for: .milliseconds(50))
                count = PythonThreads.shared.busyThreadCount
            }
            return count
        }

        @Test func abandonedGeneratorsReleaseTheirThreads() async {
            let interp = Interpreter(options: .sharedProcess)
            let baseline = PythonThreads.shared.busyThreadCount
            let r = await runPython(
                lines(
                    "def numbers():",
                    "    i = 0",
                    "    while True:",
                    "        yield i",
                    "        i += 1",
                    "total = 0",
                    "for _ in range(300):",
                    "    g = numbers()",
                    "    total += next(g) + next(g)",
                    "del g",
                    "print(total)"), in: interp)
            #expect(r.output == "300\n")
            // Each abandoned generator unwinds and its thread goes back to the pool (or exits).
            let busy = await busyThreads(settleAtMost: baseline)
            #expect(busy <= baseline + Self.othersSlack)
            #expect(PythonThreads.shared.threadCount < baseline + 100 + Self.othersSlack)
        }

        @Test func generatorsAbandonedInsideTryFinallyDoNotRunPythonCode() async {
            let r = await runPython(
                lines(
                    "log = []",
                    "def gen():",
                    "    try:",
                    "        yield 1",
                    "        yield 2",
                    "    finally:",
                    "        log.append('closed')",
                    "for _ in range(50):",
                    "    g = gen()",
                    "    next(g)",
                    "    g.close()",
                    "print(len(log))"))
            #expect(r.output == "50\n")
        }

        @Test func thousandsOfTasksAndGathers() async {
            let baseline = PythonThreads.shared.busyThreadCount
            let r = await runPython(
                lines(
                    "import asyncio",
                    "async def work(i):",
                    "    await asyncio.sleep(0)",
                    "    return i * 2",
                    "async def batch(start):",
                    "    return sum(await asyncio.gather(*(work(i) for i in range(start, start + 100))))",
                    "async def main():",
                    "    tasks = [asyncio.create_task(work(i)) for i in range(1500)]",
                    "    first = sum([await t for t in tasks])",
                    "    second = sum(await asyncio.gather(*(batch(s) for s in range(0, 1000, 100))))",
                    "    return first, second",
                    "print(asyncio.run(main()))"))
            #expect(r.error == nil)
            #expect(r.output == "(2248500, 999000)\n")
            let busy = await busyThreads(settleAtMost: baseline)
            #expect(busy <= baseline + Self.othersSlack)
        }

        @Test func tasksInterleaveInAsyncioOrder() async {
            let r = await runPython(
                lines(
                    "import asyncio",
                    "log = []",
                    "async def worker(name, n):",
                    "    for i in range(n):",
                    "        log.append(f'{name}{i}')",
                    "        await asyncio.sleep(0)",
                    "async def main():",
                    "    await asyncio.gather(worker('a', 3), worker('b', 2), worker('c', 1))",
                    "asyncio.run(main())",
                    "print(' '.join(log))"))
            #expect(r.output == "a0 b0 c0 a1 b1 a2\n")
        }

        @Test func sleepsEndInDeadlineOrder() async {
            let r = await runPython(
                lines(
                    "import asyncio",
                    "order = []",
                    "async def nap(name, t):",
                    "    await asyncio.sleep(t)",
                    "    order.append(name)",
                    "async def main():",
                    "    await asyncio.gather(nap('slow', 0.06), nap('fast', 0.01), nap('mid', 0.03), nap('fast2', 0.01))",
                    "asyncio.run(main())",
                    "print(order)"))
            #expect(r.output == "['fast', 'fast2', 'mid', 'slow']\n")
        }

        @Test func cancellingASleepingTask() async {
            let started = Date()
            let r = await runPython(
                lines(
                    "import asyncio",
                    "async def sleeper():",
                    "    try:",
                    "        await asyncio.sleep(60)",
                    "    except asyncio.CancelledError:",
                    "        print('inside: cancelled')",
                    "        raise",
                    "async def main():",
                    "    t = asyncio.create_task(sleeper())",
                    "    await asyncio.sleep(0.01)",
                    "    print('cancel returns', t.cancel())",
                    "    try:",
                    "        await t",
                    "    except asyncio.CancelledError:",
                    "        print('outside: cancelled', t.cancelled(), t.done())",
                    "asyncio.run(main())"))
            #expect(r.output == "cancel returns True\ninside: cancelled\noutside: cancelled True True\n")
            #expect(Date().timeIntervalSince(started) < 10)
        }

        @Test func cancellingATaskBeforeItStarts() async {
            let r = await runPython(
                lines(
                    "import asyncio",
                    "async def never():",
                    "    print('never runs')",
                    "async def main():",
                    "    t = asyncio.create_task(never())",
                    "    t.cancel()",
                    "    try:",
                    "        await t",
                    "    except asyncio.CancelledError:",
                    "        print('cancelled before start', t.cancelled())",
                    "asyncio.run(main())"))
            #expect(r.output == "cancelled before start True\n")
        }

        @Test func interruptingAStatementStopsItsTasks() async {
            let token = CancelToken()
            let started = Date()
            async let result = runPython(
                lines(
                    "import asyncio",
                    "async def forever():",
                    "    while True:",
                    "        await asyncio.sleep(0.01)",
                    "async def main():",
                    "    await asyncio.gather(forever(), forever())",
                    "asyncio.run(main())"), cancel: token)
            try? await Task.sleep(for: .milliseconds(200))
            token.cancel()
            let r = await result
            #expect(r.failure?.isInterrupt == true)
            #expect(Date().timeIntervalSince(started) < 10)
        }

        @Test func asyncGeneratorsInAsyncFor() async {
            let r = await runPython(
                lines(
                    "import asyncio",
                    "async def chunks():",
                    "    for word in ['a', 'b', 'c']:",
                    "        await asyncio.sleep(0)",
                    "        yield word",
                    "async def main():",
                    "    out = []",
                    "    async for w in chunks():",
                    "        out.append(w)",
                    "    return out",
                    "print(asyncio.run(main()))"))
            #expect(r.output == "['a', 'b', 'c']\n")
        }
    }
}
