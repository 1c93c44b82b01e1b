import DSPy
import Foundation
import Testing
@testable import DSPyShell

/// Captures what the engine prints.
final class Capture: ShellOutput {
    private let text = Locked((out: "", err: ""))
    func write(_ text: String) { self.text.withLock { $0.out += text } }
    func writeError(_ text: String) { self.text.withLock { $0.err += text } }
    var out: String { text.withLock { $0.out } }
    var err: String { text.withLock { $0.err } }
    func clear() { text.withLock { $0 = ("", "") } }
}

/// An LM backend for shell tests: fails for questions containing "bad", can be slow.
struct ShellTestBackend: LMBackend {
    var latency: Duration = .zero
    func complete(_ request: LMRequest, timeout: Duration) async throws -> LMResponse {
        if latency > .zero { try await Task.sleep(for: latency) }
        let user = request.messages.last?.content ?? ""
        if user.contains("bad") { throw LMError(.server, "the test server refused 'bad'") }
        return LMResponse(choices: [LMChoice(text: "[[ ## answer ## ]]\nok")], usage: TokenUsage(promptTokens: 7, completionTokens: 3), model: "shelltest")
    }
}

/// A fresh session on its own settings with the offline dummy LM, as `dspy-repl` starts.
func session() throws -> (ShellEngine, Capture) {
    let capture = Capture()
    let settings = Settings()
    try settings.configure(["lm": try LM("dummy")])
    return (ShellEngine(output: capture, settings: settings), capture)
}

@Suite struct ShellEngineTests {
    @Test func callsPrintPredictionsLikeDSPy() async throws {
        let (e, c) = try session()
        #expect(await e.execute("qa = Predict(\"question -> answer\")\nqa(question=\"What is 2+2?\")"))
        #expect(c.out == "Prediction(\n    answer='dummy answer for: What is 2+2?'\n)\n")
        #expect(c.err == "")
        c.clear()
        #expect(await e.execute("r = qa(question=\"x\")\nr.answer\n_"))
        #expect(c.out == "'dummy answer for: x'\n'dummy answer for: x'\n")
    }

    @Test func valuesAndArithmetic() async throws {
        let (e, c) = try session()
        #expect(await e.execute("a = 1; a + 2 * 3\n[1, 'two', 3.5, True, None]\n{'k': (1, 2)}\n'it' + \"'s\"\n7 // 2, 7 / 2"))
        #expect(c.out == "7\n[1, 'two', 3.5, True, None]\n{'k': (1, 2)}\n\"it's\"\n(3, 3.5)\n")
    }

    @Test func withBlocksScopeTheSettingsInScripts() async throws {
        let (e, c) = try session()
        let script = """
        other = LM("dummy/other", temperature=0.5)
        with context(lm=other):
            settings.lm

            settings.num_threads
        settings.lm
        with context(temperature=0.9): settings.lm
        """
        #expect(await e.execute(script, file: "t.dspy"))
        #expect(c.out == "LM('dummy/other', temperature=0.5)\n8\nLM('dummy')\nLM('dummy', temperature=0.9)\n")
    }

    @Test func pushPopAndTheirPrompt() async throws {
        let (e, c) = try session()
        #expect(e.prompt == "dspy> ")
        #expect(await e.execute("%push temperature=0 num_threads=2"))
        #expect(e.prompt == "dspy[1]> ")
        #expect(await e.execute("%push lm=LM(\"dummy/x y\")"))
        #expect(e.prompt == "dspy[2]> ")
        #expect(await e.execute("settings.lm\nsettings.num_threads\n%scopes"))
        #expect(c.out == "LM('dummy/x y')\n2\n1: temperature=0 num_threads=2\n2: lm=LM(\"dummy/x y\")\n")
        c.clear()
        #expect(await e.execute("%pop"))
        #expect(await e.execute("settings.lm"))
        #expect(c.out == "LM('dummy', temperature=0.0)\n")
        #expect(await e.execute("%pop"))
        #expect(!(await e.execute("%pop")))
        #expect(c.err == "error: no scope to pop\nhint: %push key=value opens one\n")
        #expect(e.prompt == "dspy> ")
    }

    @Test func settingsShowValuesAndLayers() async throws {
        let (e, c) = try session()
        #expect(await e.execute("%push max_errors=3\n%settings"))
        let lines = c.out.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("lm ") && $0.hasSuffix("= LM('dummy')   (configure)") })
        #expect(lines.contains { $0.hasPrefix("max_errors ") && $0.hasSuffix("= 3   (scope 1)") })
        #expect(lines.contains { $0.hasPrefix("num_threads ") && $0.hasSuffix("= 8   (default)") })
        #expect(lines.count == 21)
    }

    @Test func jobsStartAwaitAndGather() async throws {
        let (e, c) = try session()
        #expect(await e.execute("qa = Predict(\"question -> answer\")\nt = qa.acall(question=\"slow one\")"))
        #expect(c.out == "[1] started\n")
        c.clear()
        #expect(await e.execute("await t"))
        #expect(c.out == "Prediction(\n    answer='dummy answer for: slow one'\n)\n")
        c.clear()
        #expect(await e.execute("rs = await gather(qa.acall(question=\"a\"), qa.acall(question=\"b\"))\nlen(rs)\nrs[1].answer"))
        #expect(c.out.hasPrefix("[2] started\n[3] started\n"))
        #expect(c.out.hasSuffix("2\n'dummy answer for: b'\n"))
        c.clear()
        #expect(await e.execute("%jobs"))
        #expect(c.out.contains("[1] done     qa.acall(question='slow one')"))
        #expect(e.takeAnnouncements().isEmpty)  // awaited jobs are not announced again
    }

    @Test func finishedBackgroundJobsAreAnnounced() async throws {
        let (e, _) = try session()
        #expect(await e.execute("qa = Predict(\"question -> answer\")\nqa.acall(question=\"bg\")"))
        var announced: [String] = []
        for _ in 0..<200 where announced.isEmpty {
            try await Task.sleep(for: .milliseconds(10))
            announced = e.takeAnnouncements()
        }
        #expect(announced == ["[1] done: Prediction(\n    answer='dummy answer for: bg'\n)"])
    }

    @Test func configureWorksFromBackgroundJobs() async throws {
        let (e, c) = try session()
        #expect(await e.execute("asyncify(configure)(num_threads=3)\n%wait 1\nsettings.num_threads"))
        #expect(c.out == "[1] started\n[1] None\n3\n")
        #expect(c.err == "")
    }

    @Test func batchPrintsFailuresWithTheirInputs() async throws {
        let (e, c) = try session()
        e.define("flaky", .module(Predict(try Signature("question -> answer"), lm: LM(model: "shelltest", backend: ShellTestBackend(), numRetries: 0))))
        #expect(await e.execute("flaky.batch([{\"question\": \"fine\"}, {\"question\": \"bad one\"}], num_threads=2, disable_progress_bar=True)"))
        #expect(c.out == "[Prediction(\n    answer='ok'\n), Failed(index=1, input={'question': 'bad one'}, error=\"[shelltest] the test server refused 'bad'\")]\n")
        c.clear()
        #expect(await e.execute("out = flaky.batch([{\"question\": \"bad\"}, {\"question\": \"x\"}], return_failed_examples=True)\nout[1]\nlen(out[0])"))
        #expect(c.out == "[{'question': 'bad'}]\n2\n")
        c.clear()
        #expect(!(await e.execute("flaky.batch([{\"question\": \"bad\"}, {\"question\": \"bad\"}], max_errors=1)")))
        #expect(c.err.hasPrefix("error: Execution cancelled due to errors or interruption."))
    }

    @Test func parallelRunsPairsInOrder() async throws {
        let (e, c) = try session()
        #expect(await e.execute("qa = Predict(\"question -> answer\")\ncot = ChainOfThought(\"question -> answer\")\nrs = Parallel(num_threads=2)([(qa, {\"question\": \"x\"}), (cot, {\"question\": \"y\"})])\n[len(rs), rs[0].answer, rs[1].reasoning]"))
        #expect(c.out == "[2, 'dummy answer for: x', 'dummy reasoning for: y']\n")
    }

    @Test func errorsAreSpecificAndTheSessionGoesOn() async throws {
        let (e, c) = try session()
        #expect(await e.execute("qa = Predict(\"question -> answer\")"))
        #expect(!(await e.execute("qb(question=\"x\")")))
        #expect(c.err == "error: name 'qb' is not defined\nhint: did you mean 'qa'?\n")
        c.clear()
        #expect(!(await e.execute("1 +* 2")))
        #expect(c.err == "error: 1:4: unexpected '*'\n")
        c.clear()
        #expect(!(await e.execute("Predict(\"question answer\")")))
        #expect(c.err == "error: Invalid signature format: 'question answer', must contain exactly one '->'.\n")
        c.clear()
        #expect(!(await e.execute("qa(\"positional\")")))
        #expect(c.err.hasPrefix("error: Positional arguments are not allowed"))
        c.clear()
        #expect(!(await e.execute("LM(\"nope/model\")")))
        #expect(c.err == "error: Unknown provider 'nope' in 'nope/model'.\nhint: Use one of: openai/, anthropic/, ollama/, ollama_chat/, local/, or \"dummy\". Any OpenAI-compatible server works as openai/<model> with apiBase:.\n")
        c.clear()
        #expect(!(await e.execute("%frobnicate")))
        #expect(c.err == "error: unknown command %frobnicate\nhint: %help lists the commands\n")
        c.clear()
        #expect(await e.execute("qa(question=\"still works\").answer"))
        #expect(c.out == "'dummy answer for: still works'\n")
    }

    @Test func replayStopsAtTheFirstErrorWithItsPosition() async throws {
        let (e, c) = try session()
        let script = "a = 1\nwith context(num_threads=2):\n    print(a)\n    missing_name\nprint(\"after\")\n"
        #expect(!(await e.execute(script, file: "s.dspy")))
        #expect(c.out == "1\n")
        #expect(c.err == "error: s.dspy:4:5: name 'missing_name' is not defined\n")
        let (k, kc) = try session()
        #expect(!(await k.execute(script, file: "s.dspy", keepGoing: true)))
        #expect(kc.out == "1\nafter\n")
    }

    @Test func echoPrintsEachStatementBeforeItsOutput() async throws {
        let (e, c) = try session()
        #expect(await e.execute("x = 2\nx * 3\n%push num_threads=1\nsettings.num_threads", file: "e.dspy", echo: true))
        #expect(c.out == "dspy> x = 2\ndspy> x * 3\n6\ndspy> %push num_threads=1\ndspy[1]> settings.num_threads\n1\n")
    }

    @Test func secretsStayOutOfHistoryAndSavedScripts() async throws {
        let (e, c) = try session()
        let path = NSTemporaryDirectory() + "dspy-shell-save-\(UUID().uuidString).dspy"
        #expect(await e.execute("key_lm = LM(\"openai/gpt-4o-mini\", api_key=\"sk-secret-123\")"))
        #expect(await e.execute("key_lm"))
        #expect(await e.execute("%history"))
        #expect(await e.execute("%save \(path)"))
        #expect(!c.out.contains("sk-secret-123"))
        #expect(c.out.contains("api_key=\"<redacted>\""))
        #expect(c.err.hasPrefix("note: the api_key value is kept out of history"))
        let saved = try String(contentsOfFile: path, encoding: .utf8)
        #expect(saved == "key_lm = LM(\"openai/gpt-4o-mini\", api_key=\"<redacted>\")\nkey_lm\n")
    }

    @Test func savedSessionsReplay() async throws {
        let (e, c) = try session()
        let path = NSTemporaryDirectory() + "dspy-shell-replay-\(UUID().uuidString).dspy"
        #expect(await e.execute("qa = Predict(\"question -> answer\")"))
        #expect(await e.execute("with context(num_threads=3):\n    settings.num_threads\n"))
        #expect(!(await e.execute("oops(")))
        #expect(await e.execute("%who"))
        #expect(await e.execute("qa(question=\"replayed\").answer"))
        #expect(await e.execute("%save \(path)"))
        let original = c.out
        let (r, rc) = try session()
        #expect(await r.execute("%run \(path)"))
        #expect(original.hasPrefix("3\nqa: Predict\n'dummy answer for: replayed'\n"))
        #expect(rc.out == "3\n'dummy answer for: replayed'\n")
    }

    @Test func promptPreviewSendsNothing() async throws {
        let (e, c) = try session()
        #expect(await e.execute("qa = Predict(\"question -> answer\")\n%prompt qa(question=\"What is 2+2?\")"))
        #expect(c.out.hasPrefix("System message:\n\nYour input fields are:\n1. `question` (str):\n"))
        #expect(c.out.contains("User message:\n\n[[ ## question ## ]]\nWhat is 2+2?\n\nRespond with the corresponding output fields"))
        #expect(c.out.hasSuffix("(2 messages for LM('dummy'); nothing was sent)\n"))
        c.clear()
        #expect(await e.execute("len(qa.history)"))
        #expect(c.out == "0\n")
    }

    @Test func helpListsEveryMagic() async throws {
        let (e, c) = try session()
        #expect(await e.execute("%help"))
        for name in ["push", "pop", "scopes", "settings", "jobs", "wait", "cancel", "run", "history", "inspect", "prompt", "usage", "save", "time", "who", "reset", "help", "exit"] {
            #expect(c.out.contains("%\(name)"), "missing %\(name)")
        }
        c.clear()
        #expect(await e.execute("%help push"))
        #expect(c.out.hasPrefix("%push key=value ...\n  open a settings scope"))
    }

    @Test func usageWhoTimeAndReset() async throws {
        let (e, c) = try session()
        e.define("qt", .module(Predict(try Signature("question -> answer"), lm: LM(model: "shelltest", backend: ShellTestBackend()))))
        #expect(await e.execute("qt(question=\"x\").answer\n%usage"))
        #expect(c.out == "'ok'\nshelltest: prompt 7, completion 3, total 10\n")
        c.clear()
        #expect(await e.execute("%time qt(question=\"y\").answer"))
        #expect(c.out.hasPrefix("'ok'\nWall time: "))
        c.clear()
        #expect(await e.execute("%push num_threads=2\n%reset\n%who"))
        #expect(c.out == "names, scopes and jobs cleared\n(no names defined)\n")
        #expect(e.prompt == "dspy> ")
    }

    @Test func exitStopsTheSession() async throws {
        let (e, c) = try session()
        #expect(await e.execute("%exit\nprint(\"not reached\")"))
        #expect(e.exitRequested)
        #expect(c.out == "")
    }

    @Test func ctrlCCancelsTheRunningStatement() async throws {
        let (e, c) = try session()
        e.define("slow", .module(Predict(try Signature("question -> answer"), lm: LM(model: "shelltest", backend: ShellTestBackend(latency: .seconds(30))))))
        let run = Task { await e.execute("slow(question=\"x\")") }
        try await Task.sleep(for: .milliseconds(100))
        e.cancelRunning()
        #expect(await run.value == false)
        #expect(c.err == "error: interrupted\n")
        #expect(await e.execute("1 + 1"))
    }

    @Test func dspyNamespaceAndImportForPastedCode() async throws {
        let (e, c) = try session()
        #expect(await e.execute("import dspy\nqa = dspy.Predict(\"question -> answer\")\ndspy.settings.num_threads"))
        #expect(c.out == "8\n")
    }

    @Test func exampleAndSignatureValues() async throws {
        let (e, c) = try session()
        #expect(await e.execute("ex = Example(question=\"q\", answer=\"a\").with_inputs(\"question\")\nex\nex.inputs()\nSignature(\"a, b: int -> c\").input_fields"))
        #expect(c.out == "Example({'question': 'q', 'answer': 'a'}) (input_keys={'question'})\nExample({'question': 'q'}) (input_keys={'question'})\n['a', 'b']\n")
    }
}

@Suite struct ShellInputTests {
    @Test func continuationRules() {
        #expect(InputCompleteness.needsMore("with context(num_threads=1):"))
        #expect(InputCompleteness.needsMore("with context(num_threads=1):\n    settings.lm"))
        #expect(!InputCompleteness.needsMore("with context(num_threads=1):\n    settings.lm\n"))
        #expect(InputCompleteness.needsMore("qa(question=\"a\","))
        #expect(InputCompleteness.needsMore("x = \"\"\"first line"))
        #expect(!InputCompleteness.needsMore("x = \"\"\"first\nsecond\"\"\""))
        #expect(!InputCompleteness.needsMore("%push lm=LM(\"dummy\")"))
        #expect(!InputCompleteness.needsMore("qa(question=\"a\")"))
        #expect(!InputCompleteness.needsMore("x = 'unterminated"))  // runs, and reports the error
    }

    @Test func completion() throws {
        let (e, _) = try session()
        e.define("qa", .module(Predict(try Signature("question, context -> answer"))))
        #expect(e.completions(for: "%pu").candidates == ["push"])
        #expect(e.completions(for: "%pu").replacing == 2)
        #expect(e.completions(for: "qa.ac").candidates == ["acall"])
        #expect(e.completions(for: "qa(ques").candidates == ["question="])
        #expect(e.completions(for: "qa(question=\"x\", co").candidates == ["context="])
        #expect(e.completions(for: "configure(num_").candidates == ["num_threads="])
        #expect(e.completions(for: "%push track_").candidates == ["track_usage="])
        #expect(e.completions(for: "Chain").candidates == ["ChainOfThought"])
        #expect(e.completions(for: "q").candidates.contains("qa"))
    }

    @Test func redaction() {
        #expect(Redaction.redact("LM('x', api_key='abc')").text == "LM('x', api_key=\"<redacted>\")")
        #expect(Redaction.redact("LM('x', api_key = \"a\\\"b\", temperature=0)").text == "LM('x', api_key=\"<redacted>\", temperature=0)")
        #expect(Redaction.redact("LM('x', api_key=env(\"K\"))").changed == false)
    }

    @Test func fuzzedInputNeverCrashes() async throws {
        let (e, _) = try session()
        let pieces = ["qa", "(", ")", "[", "]", "{", "}", ",", ":", "=", "\"s\"", "'t'", "\"\"\"", "1", "2.5", "-", "+", "*", "/", "%", "%push", "%pop", "with", "await",
                      "context", "Predict", ".", "\n", "    ", "#c", "None", "True", "x", "LM", "settings", "\\", ";", "**", "//", "==", "<", "print", "gather", "%help"]
        var rng = SplitMix(seed: 20261121)
        for _ in 0..<1500 {
            let n = Int(rng.next() % 12) + 1
            let source = (0..<n).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined(separator: rng.next() % 3 == 0 ? " " : "")
            _ = InputCompleteness.needsMore(source)
            _ = try? Parser.parse(source)
            _ = e.completions(for: source)
        }
        // And a bounded number through the evaluator itself.
        for _ in 0..<150 {
            let n = Int(rng.next() % 8) + 1
            let source = (0..<n).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined(separator: " ")
            if source.contains("%pop") || source.contains("gather") { continue }
            _ = await e.execute(source, record: false)
        }
    }
}

/// A small deterministic random generator for fuzzing.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}
