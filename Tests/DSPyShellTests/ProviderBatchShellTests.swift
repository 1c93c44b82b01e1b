// `prog.batch(examples, engine="openai-batch")` in the shell: a Python program runs in rounds of
// provider batches against the loopback mock, a background run shows its batch in %jobs, and a
// killed dspy-repl resumes by running the same script again.

import DSPy
import Foundation
import TestSupport
import Testing
@testable import DSPyShell

/// A two-step DSPy program over `n` examples on the openai-batch engine, as a user writes it.
private func twoStepScript(apiBase: String, n: Int) -> String {
    """
    import dspy

    class TwoStep(dspy.Module):
        def __init__(self):
            super().__init__()
            self.topic = dspy.Predict("question -> topic")
            self.answer = dspy.Predict("topic -> answer")

        def forward(self, question):
            t = self.topic(question=question).topic
            return self.answer(topic=t)

    dspy.configure(lm=dspy.LM("openai/gpt-batch", api_base="\(apiBase)", api_key="sk-shell-batch-key"))
    prog = TwoStep()
    examples = [dspy.Example(question=f"q{i}").with_inputs("question") for i in range(\(n))]
    results = prog.batch(examples, engine="openai-batch", poll_interval=0.002)
    print(len(results), all(r.answer == f"a-t-q{i}" for i, r in enumerate(results)), results[0].answer)

    """
}

@Suite struct ProviderBatchShellTests {
    @Test func aPythonProgramRunsInRoundsOfProviderBatches() async throws {
        let mock = try await ProviderBatchMock.start(answer: ProviderBatchMock.twoStepAnswer)
        defer { mock.server.shutdownNow() }
        let dir = try temporaryDirectory("shell-batch")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let capture = Capture()
        let e = ShellEngine(output: capture, settings: Settings(), responseCache: try ResponseCache(directory: dir), options: .sharedProcess)
        #expect(await e.execute(twoStepScript(apiBase: mock.apiBase, n: 30)), "\(capture.err)")
        #expect(capture.out == "30 True a-t-q0\n", "\(capture.err)")
        #expect(mock.batches.map(\.requestCount) == [30, 30])
        #expect(mock.answered.values.allSatisfy { $0 == 1 })
        capture.clear()

        // Evaluate takes the engine too; these calls are all in the cache now.
        #expect(
            await e.execute(
                """
                ev = dspy.Evaluate(devset=examples[:5], metric=lambda e, p, trace=None: p.answer == "a-t-" + e.question, engine="openai-batch", poll_interval=0.002)
                print(ev(prog).score)
                """), "\(capture.err)")
        #expect(capture.out == "100.0\n", "\(capture.err)")
        #expect(mock.batches.count == 2)
        capture.clear()

        // Wrong names and knobs are Python errors that say what to use.
        #expect(!(await e.execute("prog.batch(examples, engine=\"gpu-batch\")")))
        #expect(capture.err.contains("Unknown batch engine 'gpu-batch'") && capture.err.contains("\"openai-batch\""))
        capture.clear()
        #expect(!(await e.execute("prog.batch(examples, poll_interval=1)")))
        #expect(capture.err.contains("only a provider batch engine takes"))
        capture.clear()
        #expect(!(await e.execute("prog.batch(examples, engine=\"openai-batch\", max_items_in_flight=0)")))
        #expect(capture.err.contains("max_items_in_flight must be at least 1"))
    }

    @Test func aBackgroundRunShowsItsBatchInJobs() async throws {
        let mock = try await ProviderBatchMock.start(answer: ProviderBatchMock.twoStepAnswer)
        defer { mock.server.shutdownNow() }
        mock.hold(true)
        let dir = try temporaryDirectory("shell-batch-jobs")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let capture = Capture()
        let e = ShellEngine(output: capture, settings: Settings(), responseCache: try ResponseCache(directory: dir), options: .sharedProcess)
        let setup = """
            import asyncio
            import dspy
            dspy.configure(lm=dspy.LM("openai/gpt-batch", api_base="\(mock.apiBase)", api_key="sk-shell-batch-key"))
            qa = dspy.Predict("question -> topic")
            examples = [dspy.Example(question=f"q{i}").with_inputs("question") for i in range(4)]
            t = asyncio.to_thread(qa.batch, examples, engine="openai-batch", poll_interval=0.002)
            """
        #expect(await e.execute(setup), "\(capture.err)")
        #expect(await mock.server.waitUntil { _ in mock.batches.first?.polls ?? 0 >= 2 })
        capture.clear()
        #expect(await e.execute("%jobs"))
        #expect(capture.out.contains("[1] running"), "\(capture.out)")
        #expect(capture.out.contains("openai batch batch_2: in_progress, 0/4 requests done, round 1"), "\(capture.out)")
        capture.clear()
        mock.hold(false)
        #expect(await e.execute("r = await t\nprint(len(r), r[3].topic)"), "\(capture.err)")
        #expect(capture.out.hasSuffix("4 t-q3\n"), "\(capture.out)")
    }

    @Test(.timeLimit(.minutes(3))) func aKilledRunResumesWithoutSubmittingAnythingTwice() async throws {
        let mock = try await ProviderBatchMock.start(answer: ProviderBatchMock.twoStepAnswer)
        defer { mock.server.shutdownNow() }
        mock.hold(fromBatch: 1)  // round 1 runs; round 2's batch stays at the provider
        let dir = try temporaryDirectory("shell-batch-crash")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for sub in ["dspy-cache", "data", "config", "home"] {
            try FileManager.default.createDirectory(atPath: dir + "/" + sub, withIntermediateDirectories: true)
        }
        let n = 40
        let script = dir + "/two_step.py"
        try twoStepScript(apiBase: mock.apiBase, n: n).write(toFile: script, atomically: true, encoding: .utf8)
        let env = [
            "DSPY_CACHEDIR=\(dir)/dspy-cache", "XDG_DATA_HOME=\(dir)/data", "XDG_CONFIG_HOME=\(dir)/config", "HOME=\(dir)/home",
            "PATH=/usr/bin:/bin", "LANG=C.UTF-8",
        ]
        let first = try startChild(
            [builtProduct("dspy-repl"), "--no-history", script], environment: env, stdoutFile: dir + "/out1", stderrFile: dir + "/err1")
        let submitted = await mock.server.waitUntil(timeout: .seconds(90)) { _ in mock.batches.count == 2 && mock.batches[1].polls >= 2 }
        kill(first, SIGKILL)
        waitForChild(first)
        let firstErr = (try? String(contentsOfFile: dir + "/err1", encoding: .utf8)) ?? ""
        try #require(submitted, "the second round was never submitted: \(firstErr)")
        #expect(mock.answered.count == n)  // round 1 only

        mock.hold(false)
        let second = try startChild(
            [builtProduct("dspy-repl"), "--no-history", script], environment: env, stdoutFile: dir + "/out2", stderrFile: dir + "/err2")
        let status = try await offThePool { waitForChild(second) }
        let out = (try? String(contentsOfFile: dir + "/out2", encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: dir + "/err2", encoding: .utf8)) ?? ""
        #expect(status == 0, "\(err)")
        #expect(out == "\(n) True a-t-q0\n", "\(err)")
        // Round 1 came from the cache, round 2's batch was polled again: two batches in all,
        // and every request answered exactly once.
        #expect(mock.batches.count == 2)
        #expect(mock.answered.count == 2 * n && mock.answered.values.allSatisfy { $0 == 1 })
    }
}
