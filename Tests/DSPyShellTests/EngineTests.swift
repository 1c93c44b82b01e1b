import DSPy
import Foundation
import PythonInterpreter
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
        return LMResponse(
            choices: [LMChoice(text: "[[ ## answer ## ]]\nok")], usage: TokenUsage(promptTokens: 7, completionTokens: 3), model: "shelltest")
    }
}

/// A fresh session on its own settings with the offline dummy LM, as `dspy-repl` starts.
func session() throws -> (ShellEngine, Capture) {
    let capture = Capture()
    let settings = Settings()
    try settings.configure(["lm": try LM("dummy")])
    return (ShellEngine(output: capture, settings: settings, options: .sharedProcess), capture)
}

/// `question -> answer` on the shell test backend.
func testPredict(latency: Duration = .zero, retries: Int = 3) throws -> Predict {
    Predict(try Signature("question -> answer"), lm: LM(model: "shelltest", backend: ShellTestBackend(latency: latency), numRetries: retries))
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
        #expect(await e.execute("a = 1; a + 2 * 3\n[1, 'two', 3.5, True, None]\n{'k': (1, 2)}\n'it' + \"'s\"\n7 // 2, 7 / 2\nNone"))
        #expect(c.out == "7\n[1, 'two', 3.5, True, None]\n{'k': (1, 2)}\n\"it's\"\n(3, 3.5)\n")
    }

    /// The built-in calculate tool computes as the shell does: exact ints, Python's floats and
    /// Python exceptions, also for the tool objects from `tools()` and `acall`.
    @Test func calculateGivesTheShellsNumbers() async throws {
        let (e, c) = try session()
        #expect(
            await e.execute(
                """
                calculate(expression="2 ** 100")
                2 ** 100
                x = calculate(expression="-2 ** 64")
                type(x), x + 1
                calculate(expression="4 / 2"), calculate(expression="7 // -2"), calculate(expression="-7 % 3")
                tools()[0](expression="3 ** 50")
                await calculate.acall(expression="10 ** 20 + 1")
                """))
        #expect(
            c.out == """
                1267650600228229401496703205376
                1267650600228229401496703205376
                (<class 'int'>, -18446744073709551615)
                (2.0, -4, 2)
                717897987691852588770249
                100000000000000000001

                """)
        #expect(c.err == "")
        c.clear()
        #expect(
            await e.execute(
                """
                try:
                    calculate(expression="1 / 0")
                except ZeroDivisionError as err:
                    print("ZeroDivisionError:", err)
                try:
                    calculate(expression="__import__('os')")
                except ValueError as err:
                    print(str(err).split(";")[0])
                """))
        #expect(c.out == "ZeroDivisionError: division by zero\ncalling '__import__' is not allowed (at position 1)\n")
        c.clear()
        #expect(await e.execute("calculate(expression=\"10.0 ** 400\")") == false)
        #expect(c.err == "error: OverflowError: (34, 'Numerical result out of range')\n")
    }

    @Test func pastedPythonRunsAsInCPython() async throws {
        let (e, c) = try session()
        let program = """
            import dspy
            from typing import Literal

            class QA(dspy.Signature):
                \"\"\"Answer briefly.\"\"\"
                question: str = dspy.InputField()
                answer: str = dspy.OutputField(desc="a few words")

            qa = dspy.Predict(QA)
            answers = [qa(question=f"q{i}").answer for i in range(2)]
            for i, a in enumerate(answers):
                print(f"{i}: {a!r:>30}")

            async def main():
                results = await asyncio.gather(*(qa.acall(question=q) for q in ["x", "y"]))
                return {r.answer[-1]: len(r.answer) for r in results}

            import asyncio
            asyncio.run(main())
            """
        #expect(await e.execute(program, file: "paste.py"))
        #expect(c.out == "0:         'dummy answer for: q0'\n1:         'dummy answer for: q1'\n")
        #expect(c.err == "")
        c.clear()
        // Interactively, the last statement's value is shown, as in the Python REPL.
        #expect(await e.execute("import asyncio\nasyncio.run(main())"))
        #expect(c.out == "{'x': 19, 'y': 19}\n")
        #expect(await e.execute("QA"))
        #expect(
            c.out.hasSuffix(
                "QA(question -> answer\n    instructions='Answer briefly.'\n    question = Field(annotation=str required=True json_schema_extra={'__dspy_field_type': 'input', 'prefix': 'Question:', 'desc': '${question}'})\n    answer = Field(annotation=str required=True json_schema_extra={'desc': 'a few words', '__dspy_field_type': 'output', 'prefix': 'Answer:'})\n)\n"
            ))
    }

    @Test func expressionStatementsInTopLevelBlocksPrint() async throws {
        let (e, c) = try session()
        #expect(await e.execute("for i in range(2):\n    i\n"))
        #expect(await e.execute("def f():\n    42\nf()"))
        #expect(c.out == "0\n1\n")
    }

    @Test func withBlocksScopeTheSettingsInScripts() async throws {
        let (e, c) = try session()
        let script = """
            other = LM("dummy/other", temperature=0.5)
            with context(lm=other):
                settings.lm

                settings.num_threads
            settings.lm
            with context(temperature=0.9): settings.lm, settings.temperature
            print(settings.temperature)
            """
        #expect(await e.execute(script, file: "t.dspy"))
        #expect(c.out == "LM('dummy/other', temperature=0.5)\n8\nLM('dummy')\n(LM('dummy'), 0.9)\nNone\n")
    }

    @Test func settingsReadLikeDSPy() async throws {
        let (e, c) = try session()
        #expect(await e.execute("lm = dspy.settings.lm\ndspy.settings.lm is lm, dspy.settings['lm'] is lm, 'lm' in dspy.settings"))
        #expect(c.out == "(True, True, True)\n")
        c.clear()
        #expect(!(await e.execute("dspy.settings.nope")))
        #expect(c.err == "error: AttributeError: 'Settings' object has no attribute 'nope'\n" || c.err.hasPrefix("error: AttributeError:"))
        c.clear()
        #expect(!(await e.execute("dspy.settings.lm = None")))
        #expect(c.err.hasPrefix("error: AttributeError: settings are read-only here: use dspy.configure(lm=...)"))
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
        #expect(await e.execute("settings.lm, settings.temperature"))
        #expect(c.out == "(LM('dummy'), 0.0)\n")
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
        #expect(lines.contains { $0.hasPrefix("trace ") && $0.hasSuffix("= []   (default)") })
    }

    @Test func jobsStartAwaitAndGather() async throws {
        let (e, c) = try session()
        #expect(await e.execute("qa = Predict(\"question -> answer\")\nt = qa.acall(question=\"slow one\")"))
        #expect(c.out == "[1] started\n")
        c.clear()
        #expect(await e.execute("await t"))
        #expect(c.out == "Prediction(\n    answer='dummy answer for: slow one'\n)\n")
        c.clear()
        // Coroutines passed to gather are awaited by it, not started as jobs.
        #expect(await e.execute("rs = await gather(qa.acall(question=\"a\"), qa.acall(question=\"b\"))\nlen(rs)\nrs[1].answer"))
        #expect(c.out == "2\n'dummy answer for: b'\n")
        c.clear()
        #expect(await e.execute("%jobs"))
        #expect(c.out.hasPrefix("[1] done     qa.acall(question=\"slow one\")"))
        #expect(e.takeAnnouncements().isEmpty)  // awaited jobs are not announced again
        c.clear()
        // asyncio.create_task at top level is a job too, with asyncio.Task's methods.
        #expect(
            await e.execute(
                "import asyncio\nt2 = asyncio.create_task(qa.acall(question=\"made\"))\n(await t2).answer\nt2.done(), t2.cancelled(), t2.exception()\nt2"
            ))
        #expect(c.out.hasPrefix("[2] started\n'dummy answer for: made'\n(True, False, None)\n[2] done     asyncio.create_task("))
    }

    @Test func finishedBackgroundJobsAreAnnounced() async throws {
        let (e, _) = try session()
        #expect(await e.execute("qa = Predict(\"question -> answer\")\nqa.acall(question=\"bg\")"))
        var announced: [String] = []
        for _ in 0..<500 where announced.isEmpty {
            try await Task.sleep(for: .milliseconds(10))
            announced = e.takeAnnouncements()
        }
        #expect(announced == ["[1] done: Prediction(\n    answer='dummy answer for: bg'\n)"])
    }

    @Test func failedJobsAreAnnouncedWithTheirError() async throws {
        let (e, _) = try session()
        #expect(await e.execute("async def boom():\n    raise ValueError('no luck')\n\nboom()"))
        var announced: [String] = []
        for _ in 0..<500 where announced.isEmpty {
            try await Task.sleep(for: .milliseconds(10))
            announced = e.takeAnnouncements()
        }
        #expect(announced == ["[1] failed: ValueError: no luck"])
    }

    @Test func configureWorksFromBackgroundJobs() async throws {
        let (e, c) = try session()
        #expect(await e.execute("asyncify(configure)(num_threads=3)\n%wait 1\nsettings.num_threads"))
        #expect(c.out == "[1] started\n[1] None\n3\n")
        #expect(c.err == "")
    }

    @Test func libraryCallsFromTheShellRunOnTheEventLoops() async throws {
        // A call from the shell (blocking, awaited, or a job) runs its LM request on an
        // IOExecutor, so a request to a server crosses no thread.
        struct WhereBackend: LMBackend {
            let onLoop: Locked<[Bool]>
            func complete(_ request: LMRequest, timeout: Duration) async throws -> LMResponse {
                onLoop.withLock { $0.append(IOExecutor.current != nil) }
                return LMResponse(choices: [LMChoice(text: "[[ ## answer ## ]]\nok")], model: "where")
            }
        }
        let onLoop = Locked<[Bool]>([])
        let (e, c) = try session()
        e.define("qa", module: Predict(try Signature("question -> answer"), lm: LM(model: "where", backend: WhereBackend(onLoop: onLoop))))
        #expect(await e.execute("qa(question='a').answer\nasync def main():\n    return (await qa.acall(question='b')).answer\n"))
        #expect(await e.execute("import asyncio\nasyncio.run(main())"))
        #expect(c.err == "")
        #expect(c.out == "'ok'\n'ok'\n")
        #expect(onLoop.withLock { $0 } == [true, true])
    }

    @Test func batchKeepsDSPySemanticsForFailures() async throws {
        let (e, c) = try session()
        e.define("flaky", module: try testPredict(retries: 0))
        #expect(
            await e.execute(
                "out = flaky.batch([Example(question='fine').with_inputs('question'), Example(question='bad one').with_inputs('question')], num_threads=2, disable_progress_bar=True)\nout[0].answer, out[1]"
            ))
        #expect(c.out == "('ok', None)\n")
        c.clear()
        #expect(
            await e.execute(
                "ok, failed, errors = flaky.batch([Example(question='bad').with_inputs('question'), Example(question='x').with_inputs('question')], return_failed_examples=True)\nfailed, type(errors[0]).__name__, len(ok)"
            ))
        #expect(c.out == "([Example({'question': 'bad'}) (input_keys={'question'})], 'LMError', 2)\n")
        c.clear()
        #expect(
            await e.execute(
                "try:\n    flaky.batch([Example(question='bad').with_inputs('question')] * 2, max_errors=1)\nexcept Exception as e:\n    print(type(e).__name__, e)\n"
            ))
        #expect(c.out == "Exception Execution cancelled due to errors or interruption.\n")
    }

    @Test func parallelRunsPairsInOrder() async throws {
        let (e, c) = try session()
        #expect(
            await e.execute(
                "qa = Predict(\"question -> answer\")\ncot = ChainOfThought(\"question -> answer\")\nrs = Parallel(num_threads=2)([(qa, {\"question\": \"x\"}), (cot, {\"question\": \"y\"})])\n[len(rs), rs[0].answer, rs[1].reasoning]"
            ))
        #expect(c.out == "[2, 'dummy answer for: x', 'dummy reasoning for: y']\n")
    }

    @Test func errorsAreSpecificAndTheSessionGoesOn() async throws {
        let (e, c) = try session()
        #expect(await e.execute("qa = Predict(\"question -> answer\")"))
        #expect(!(await e.execute("qb(question=\"x\")")))
        #expect(c.err == "error: NameError: name 'qb' is not defined\nhint: Did you mean: 'qa'?\n")
        c.clear()
        #expect(!(await e.execute("1 +* 2")))
        #expect(c.err == "error: 1:4: SyntaxError: invalid syntax\n")
        c.clear()
        #expect(!(await e.execute("Predict(\"question answer\")")))
        #expect(c.err == "error: Invalid signature format: 'question answer', must contain exactly one '->'.\n")
        c.clear()
        #expect(!(await e.execute("qa(\"positional\")")))
        #expect(c.err.hasPrefix("error: ValueError: Positional arguments are not allowed when calling `dspy.Predict`"))
        c.clear()
        #expect(!(await e.execute("LM(\"nope/model\")")))
        #expect(
            c.err
                == "error: Unknown provider 'nope' in 'nope/model'.\nhint: Use one of: openai/, anthropic/, ollama/, ollama_chat/, local/, or \"dummy\". Any OpenAI-compatible server works as openai/<model> with api_base set to its address.\n"
        )
        c.clear()
        #expect(!(await e.execute("%frobnicate")))
        #expect(c.err == "error: unknown command %frobnicate\nhint: %help lists the commands\n")
        c.clear()
        #expect(!(await e.execute("def f(n):\n    return g(n)\ndef g(n):\n    return 1 / n\n\nf(0)")))
        #expect(c.err == "error: ZeroDivisionError: division by zero\nhint: traceback: <module> (line 6) → f (line 2) → g (line 4)\n")
        c.clear()
        #expect(await e.execute("qa(question=\"still works\").answer"))
        #expect(c.out == "'dummy answer for: still works'\n")
    }

    @Test func libraryErrorsAreCatchableAsDSPyDoes() async throws {
        let (e, c) = try session()
        e.define("flaky", module: try testPredict(retries: 0))
        #expect(await e.execute("try:\n    flaky(question='bad')\nexcept Exception as err:\n    print(type(err).__name__, '|', err)\n"))
        #expect(c.out == "LMError | [shelltest] the test server refused 'bad'\n")
    }

    @Test func missingDSPyFeaturesSaySoWithAWayForward() async throws {
        let (e, c) = try session()
        #expect(!(await e.execute("import dspy\ndspy.MIPROv2(metric=None)")))
        #expect(
            c.err.hasPrefix(
                "error: AttributeError: module 'dspy' has no attribute 'MIPROv2'\nhint: dspy-repl has dspy.Evaluate, LabeledFewShot, BootstrapFewShot"
            ))
    }

    @Test func replayStopsAtTheFirstErrorWithItsPosition() async throws {
        let (e, c) = try session()
        let script = "a = 1\nwith context(num_threads=2):\n    print(a)\n    missing_name\nprint(\"after\")\n"
        #expect(!(await e.execute(script, file: "s.dspy")))
        #expect(c.out == "1\n")
        #expect(c.err == "error: s.dspy:4:5: NameError: name 'missing_name' is not defined\n")
        let (k, kc) = try session()
        #expect(!(await k.execute(script, file: "s.dspy", keepGoing: true)))
        #expect(kc.out == "1\nafter\n")
    }

    @Test func echoPrintsEachStatementBeforeItsOutput() async throws {
        let (e, c) = try session()
        #expect(await e.execute("x = 2\nx * 3\n%push num_threads=1\nsettings.num_threads", file: "e.dspy", echo: true))
        #expect(c.out == "dspy> x = 2\ndspy> x * 3\n6\ndspy> %push num_threads=1\ndspy[1]> settings.num_threads\n1\n")
    }

    @Test func secretsStayOutOfHistoryOutputAndSavedScripts() async throws {
        let (e, c) = try session()
        let path = NSTemporaryDirectory() + "dspy-shell-save-\(UUID().uuidString).dspy"
        #expect(await e.execute("key_lm = LM(\"openai/gpt-4o-mini\", api_key=\"sk-secret-123\")"))
        #expect(await e.execute("key_lm"))
        #expect(await e.execute("import os\nos.environ['MY_API_KEY'] = 'abcdefgh12345'\nprint(os.environ['MY_API_KEY'])"))
        #expect(await e.execute("%history"))
        #expect(await e.execute("%save \(path)"))
        #expect(!c.out.contains("sk-secret-123"))
        #expect(!c.out.contains("abcdefgh12345"))
        #expect(c.out.contains("api_key=\"<redacted>\""))
        #expect(c.out.contains("<redacted>\n"))  // what print() showed
        #expect(c.err.hasPrefix("note: secrets (api_key=\"...\""))
        let saved = try String(contentsOfFile: path, encoding: .utf8)
        #expect(
            saved
                == "key_lm = LM(\"openai/gpt-4o-mini\", api_key=\"<redacted>\")\nkey_lm\nimport os\nos.environ['MY_API_KEY'] = \"<redacted>\"\nprint(os.environ['MY_API_KEY'])\n"
        )
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

    @Test func helpListsEveryMagicAndExplainsObjects() async throws {
        let (e, c) = try session()
        #expect(await e.execute("%help"))
        for name in Magics.catalogue.keys {
            #expect(c.out.contains("%\(name)"), "missing %\(name)")
        }
        c.clear()
        #expect(await e.execute("%help push"))
        #expect(c.out.hasPrefix("%push key=value ...\n  open a settings scope"))
        c.clear()
        #expect(await e.execute("Predict?"))
        #expect(c.out.contains("Predict("))
        c.clear()
        #expect(await e.execute("%push num_threads=2\nnum_threads?"))
        #expect(c.out == "num_threads = 2   (scope 1)\n  workers for batch and Parallel (default 8)\n")
        c.clear()
        #expect(await e.execute("def ask(q: str) -> str:\n    \"\"\"Ask a question.\"\"\"\n    return q\n\nask?"))
        #expect(c.out.contains("ask(q: str) -> str") && c.out.contains("Ask a question."))
    }

    @Test func usageWhoTimeAndReset() async throws {
        let (e, c) = try session()
        e.define("qt", module: try testPredict())
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

    @Test func reActTakesPerCallLMAndConfigAndHistoryHasDSPysKeys() async throws {
        let (e, c) = try session()
        let program = """
            def add(a: int, b: int) -> int:
                \"\"\"Add two numbers.\"\"\"
                return a + b

            agent = dspy.ReAct("question -> answer", tools=[add])
            other = dspy.LM("dummy/other")
            r = agent(question="1+2?", lm=other, config={"temperature": 0.5})
            print(len(other.history), len(dspy.settings.lm.history))
            entry = other.history[-1]
            print(list(entry.keys()))
            print(entry["kwargs"]["temperature"], entry["cost"], entry["model_type"])
            """
        #expect(await e.execute(program, file: "react.py"))
        #expect(c.out.hasPrefix("2 0\n"))
        #expect(
            c.out.contains(
                "['prompt', 'messages', 'kwargs', 'response', 'outputs', 'usage', 'cost', 'timestamp', 'uuid', 'model', 'response_model', 'model_type']"
            ))
        #expect(c.out.hasSuffix("0.5 None chat\n"))
    }

    /// Thousands of asyncio tasks, each in a scope of its own: every task sees its own settings
    /// before and after its awaits and LM calls, and the session's settings are untouched.
    @Test(.sharesTheCPU) func thousandsOfTasksKeepTheirOwnScopes() async throws {
        let (e, c) = try session()
        let program = """
            import asyncio
            import dspy

            async def one(i):
                with dspy.context(num_threads=i + 1):
                    before = dspy.settings.num_threads
                    await asyncio.sleep(0)
                    r = await dspy.Predict("q -> a").acall(q=str(i))
                    return before == dspy.settings.num_threads == i + 1 and r.a == f"dummy a for: {i}"

            async def main():
                results = await asyncio.gather(*(one(i) for i in range(2000)))
                print(len(results), all(results), dspy.settings.num_threads)

            asyncio.run(main())
            """
        #expect(await e.execute(program, file: "stress.py"))
        #expect(c.out == "2000 True 8\n")
        #expect(c.err == "")
    }

    @Test func timeReportsAnErrorAtItsOwnLine() async throws {
        let (e, c) = try session()
        #expect(!(await e.execute("x = 1\ny = 2\n%time 1/0\n", file: "t.dspy")))
        #expect(c.err == "error: t.dspy:3:1: ZeroDivisionError: division by zero\n")
        #expect(c.out.hasPrefix("Wall time: "))
    }

    @Test func exitStopsTheSession() async throws {
        let (e, c) = try session()
        #expect(await e.execute("%exit\nprint(\"not reached\")"))
        #expect(e.exitRequested)
        #expect(c.out == "")
        let (q, qc) = try session()
        _ = await q.execute("import sys\nsys.exit(3)\nprint(\"not reached\")")
        #expect(q.exitRequested && q.exitCode == 3)
        #expect(qc.out == "" && qc.err == "")
        // Bare `quit` leaves (as IPython and Python 3.13's REPL); its repr is still Python's.
        let (b, bc) = try session()
        _ = await b.execute("print(repr(exit))\nquit\nprint(\"not reached\")")
        #expect(b.exitRequested && b.exitCode == 0)
        #expect(bc.out == "Use exit() or Ctrl-D (i.e. EOF) to exit\n" && bc.err == "")
    }

    @Test func ctrlCCancelsTheRunningStatement() async throws {
        let (e, c) = try session()
        e.define("slow", module: try testPredict(latency: .seconds(30)))
        let run = Task { await e.execute("slow(question=\"x\")") }
        for _ in 0..<500 where e.state.withLock({ $0.running }) == nil { try await Task.sleep(for: .milliseconds(10)) }
        e.cancelRunning()
        #expect(await run.value == false)
        #expect(c.err == "error: interrupted\n")
        #expect(await e.execute("1 + 1"))
    }

    @Test func ctrlCStopsARunawayLoop() async throws {
        let (e, c) = try session()
        let run = Task { await e.execute("while True:\n    pass\n") }
        for _ in 0..<500 where e.state.withLock({ $0.running }) == nil { try await Task.sleep(for: .milliseconds(10)) }
        try await Task.sleep(for: .milliseconds(50))
        e.cancelRunning()
        #expect(await run.value == false)
        #expect(c.err == "error: interrupted\n")
    }

    @Test func exampleAndSignatureValues() async throws {
        let (e, c) = try session()
        #expect(
            await e.execute(
                "ex = Example(question=\"q\", answer=\"a\").with_inputs(\"question\")\nex\nex.inputs()\nlist(Signature(\"a, b: int -> c\").input_fields)"
            ))
        #expect(
            c.out
                == "Example({'question': 'q', 'answer': 'a'}) (input_keys={'question'})\nExample({'question': 'q'}) (input_keys={'question'})\n['a', 'b']\n"
        )
    }
}

@Suite struct ShellInputTests {
    @Test func continuationRules() {
        #expect(StatementSplitter.needsMoreInput("with context(num_threads=1):"))
        #expect(StatementSplitter.needsMoreInput("with context(num_threads=1):\n    settings.lm"))
        #expect(!StatementSplitter.needsMoreInput("with context(num_threads=1):\n    settings.lm\n"))
        #expect(StatementSplitter.needsMoreInput("qa(question=\"a\","))
        #expect(StatementSplitter.needsMoreInput("x = \"\"\"first line"))
        #expect(!StatementSplitter.needsMoreInput("x = \"\"\"first\nsecond\"\"\""))
        #expect(StatementSplitter.needsMoreInput("class QA(dspy.Signature):"))
        #expect(StatementSplitter.needsMoreInput("async def main():\n    return 1"))
        #expect(StatementSplitter.needsMoreInput("@decorator"))
        #expect(StatementSplitter.needsMoreInput("x = 1 + \\"))
        #expect(!StatementSplitter.needsMoreInput("%push lm=LM(\"dummy\")"))
        #expect(!StatementSplitter.needsMoreInput("qa(question=\"a\")"))
        #expect(!StatementSplitter.needsMoreInput("x = 'unterminated"))  // runs, and reports the error
        #expect(!StatementSplitter.needsMoreInput("qa?"))
    }

    @Test func completion() async throws {
        let (e, _) = try session()
        #expect(
            await e.execute(
                "qa = Predict('question, context -> answer')\nclass Thing:\n    def method_one(self): pass\nthing = Thing()", record: false))
        #expect(e.completions(for: "%pu").candidates == ["push "])
        #expect(e.completions(for: "%pu").replacing == 2)
        #expect(e.completions(for: "qa.ac").candidates == ["acall"])
        #expect(e.completions(for: "qa(ques").candidates == ["question="])
        #expect(e.completions(for: "qa(question=\"x\", co").candidates == ["context="])
        #expect(e.completions(for: "configure(num_").candidates == ["num_threads="])
        #expect(e.completions(for: "%push track_").candidates == ["track_usage="])
        #expect(e.completions(for: "Chain").candidates == ["ChainOfThought"])
        #expect(e.completions(for: "thing.meth").candidates == ["method_one"])
        #expect(e.completions(for: "dspy.Pre").candidates.contains("Predict"))
        #expect(e.completions(for: "q").candidates.contains("qa"))
    }

    @Test func redaction() {
        #expect(Redaction.redact("LM('x', api_key='abc')").text == "LM('x', api_key=\"<redacted>\")")
        #expect(Redaction.redact("LM('x', api_key = \"a\\\"b\", temperature=0)").text == "LM('x', api_key = \"<redacted>\", temperature=0)")
        #expect(Redaction.redact("LM('x', api_key=env(\"K\"))").changed == false)
        #expect(Redaction.redact("LM('x', api_key=os.environ['K'])").changed == false)
        #expect(Redaction.redact("os.environ['OPENAI_API_KEY'] = 'sk-abc'").text == "os.environ['OPENAI_API_KEY'] = \"<redacted>\"")
        #expect(Redaction.redact("anthropic_key = 'sk-ant'").text == "anthropic_key = \"<redacted>\"")
        #expect(Redaction.redact("s = 'api_key=\"not a call\"'").changed == false)  // inside a string literal
    }

    @Test(.sharesTheCPU) func fuzzedInputNeverCrashes() async throws {
        let (e, _) = try session()
        let pieces = [
            "qa", "(", ")", "[", "]", "{", "}", ",", ":", "=", "\"s\"", "'t'", "\"\"\"", "1", "2.5", "-", "+", "*", "/", "%", "%push", "%pop", "with",
            "await",
            "context", "Predict", ".", "\n", "    ", "#c", "None", "True", "x", "LM", "settings", "\\", ";", "**", "//", "==", "<", "print", "gather",
            "%help",
            "def", "class", "lambda", "async", "for", "in", "if", "else", "yield", "f'{x}'", "@", "->", "?", "import", "dspy", "return", "not", "is",
        ]
        var rng = SplitMix(seed: 20261121)
        for _ in 0..<1500 {
            let n = Int(rng.next() % 12) + 1
            let source = (0..<n).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined(separator: rng.next() % 3 == 0 ? " " : "")
            _ = StatementSplitter.needsMoreInput(source)
            _ = StatementSplitter.split(source)
            _ = e.completions(for: source)
        }
        // And a bounded number through the interpreter itself.
        for _ in 0..<150 {
            let n = Int(rng.next() % 8) + 1
            let source = (0..<n).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined(separator: " ")
            if source.contains("%pop") || source.contains("gather") || source.contains("while") { continue }
            _ = await e.execute(source, record: false)
        }
        #expect(await e.execute("1 + 1", record: false))
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
