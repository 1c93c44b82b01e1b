import DSPy
import Foundation
import TestSupport
import Testing
@testable import DSPyShell

/// `dspy-repl --record FILE` then `--replay FILE --strict`: the same script prints the same
/// bytes with the server gone.
@Suite struct CassetteShellTests {
    static let script = """
        configure(track_usage=True)
        qa = Predict("question -> answer")
        qa(question="What is 2+2?")
        cot = ChainOfThought("question -> answer")
        cot(question="Why?")
        r = qa(question="What is 2+2?")
        r.answer
        %usage
        """

    @Test func aRecordedScriptReplaysByteIdenticallyOffline() async throws {
        let server = try await LoopbackServer.start { request in
            let user = request.json?["messages"].arrayValue?.last?["content"].stringValue ?? ""
            let reply =
                user.contains("reasoning") || user.contains("Why")
                ? "[[ ## reasoning ## ]]\nBecause.\n\n[[ ## answer ## ]]\nIt is so.\n\n[[ ## completed ## ]]"
                : "[[ ## answer ## ]]\n4\n\n[[ ## completed ## ]]"
            let doc: Value = [
                "choices": [["message": ["role": "assistant", "content": .string(reply)], "finish_reason": "stop"]],
                "usage": ["prompt_tokens": 11, "completion_tokens": 3, "total_tokens": 14],
            ]
            return .json(doc)
        }
        let dir = NSTemporaryDirectory() + "dspy-cassette-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let scriptPath = dir + "/session.dspy", cassette = dir + "/session.cassette"
        try Self.script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        let env = ["OPENAI_BASE_URL": server.baseURL + "/v1", "OPENAI_API_KEY": "sk-never-in-a-cassette"]

        let recorded = try await runBinary(["--lm", "openai/test-model", "--record", cassette, scriptPath], environment: env)
        #expect(recorded.status == 0, "\(recorded.err)")
        #expect(recorded.out.contains("answer='4'"))
        #expect(recorded.out.contains("openai/test-model"))
        let live = server.requests.count
        #expect(live == 2)  // the repeated question is a cache hit
        try await server.shutdown()

        let replayed = try await runBinary(["--lm", "openai/test-model", "--replay", cassette, "--strict", scriptPath], environment: env)
        #expect(replayed.status == 0, "\(replayed.err)")
        #expect(replayed.out == recorded.out)
        #expect(replayed.err == recorded.err)
        let file = try String(contentsOfFile: cassette, encoding: .utf8)
        #expect(!file.contains("sk-never-in-a-cassette"))

        // A changed script meets a request the cassette lacks: a clear error, exit status 1.
        try (Self.script + "\nqa(question=\"not recorded\")\n").write(toFile: scriptPath, atomically: true, encoding: .utf8)
        let diverged = try await runBinary(["--lm", "openai/test-model", "--replay", cassette, "--strict", scriptPath], environment: env)
        #expect(diverged.status == 1)
        #expect(diverged.err.contains("has no reply for this request"))
        #expect(diverged.out.hasPrefix(recorded.out))

        let misuse = try await runBinary(["--strict", scriptPath])
        #expect(misuse.status != 0)
        #expect(misuse.err.contains("--strict applies to --replay FILE"))
    }
}

/// `max_tokens_budget` from the shell: one budget per pushed scope or `with` block, charged by
/// every statement run inside it.
@Suite struct BudgetShellTests {
    private func session() throws -> (ShellEngine, Capture) {
        let capture = Capture()
        let settings = Settings()
        try settings.configure(["lm": LM(model: "shelltest", backend: ShellTestBackend())])
        return (ShellEngine(output: capture, settings: settings, options: .sharedProcess), capture)
    }

    @Test func aPushedBudgetLastsAcrossStatements() async throws {
        let (e, c) = try session()
        #expect(await e.execute("qa = Predict(\"question -> answer\")\n%push max_tokens_budget=25"))
        #expect(await e.execute("qa(question=\"one\").answer"))  // 10 tokens
        #expect(await e.execute("qa(question=\"two\").answer"))  // 20
        #expect(await e.execute("qa(question=\"three\").answer"))  // 30: over, but it was allowed to start
        #expect(await e.execute("settings.max_tokens_budget"))
        #expect(c.out == "'ok'\n'ok'\n'ok'\n25 (spent 30, 0 left)\n")
        #expect(!(await e.execute("qa(question=\"four\")")))
        #expect(c.err.contains("Token budget exhausted: this scope's max_tokens_budget is 25 and 30 tokens are spent"))
        c.clear()
        #expect(await e.execute("%pop\nqa(question=\"five\").answer"))
        #expect(c.out == "'ok'\n")
    }

    @Test func aWithBlockGetsItsOwnBudgetInsideTheOuterOne() async throws {
        let (e, c) = try session()
        let script = """
            qa = Predict("question -> answer")
            %push max_tokens_budget=15
            with context(max_tokens_budget=1000):
                qa(question="a").answer
                qa(question="b").answer
                settings.max_tokens_budget
                qa(question="c").answer

            """
        #expect(!(await e.execute(script)))
        #expect(c.out == "'ok'\n'ok'\n1000 (spent 20, 980 left)\n")
        #expect(c.err.contains("an enclosing scope's max_tokens_budget is 15 and 20 tokens are spent"))
        c.clear()
        #expect(await e.execute("settings.max_tokens_budget"))
        #expect(c.out == "15 (spent 20, 0 left)\n")
        #expect(!(await e.execute("with context(max_tokens_budget=\"lots\"):\n    1\n")))
        #expect(c.err.contains("max_tokens_budget must be a whole number of tokens (0 or more), not 'lots'"))
    }
}
