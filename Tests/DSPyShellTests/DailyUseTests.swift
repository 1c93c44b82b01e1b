// What a user meets in the first ten minutes: errors in one line and the shell's words, typos
// in settings and commands, %save from scripts, jobs that already ended, and answers from the
// cache (issue "A shell you can live in all day").

import DSPy
import Foundation
import TestSupport
import Testing
@testable import DSPyShell

@Suite struct DailyUseTests {
    @Test func aReplyWithoutFieldMarkersIsOneLineWithAHint() async throws {
        let server = try await LoopbackServer.start { _ in completionReply("hello there, I am a chat model that ignores formats") }
        defer { server.shutdownNow() }
        let (e, c) = try session()
        #expect(
            await e.execute(
                """
                dspy.configure(lm=dspy.LM("openai/m", api_base="\(server.baseURL)/v1", api_key="k", cache=False))
                qa = dspy.Predict("question -> answer, confidence: float")
                """))
        c.clear()
        #expect(await e.execute("qa(question='hi')") == false)
        #expect(
            c.err == """
                error: AdapterParseError: the LM's reply has no answer, confidence fields (ChatAdapter and JSONAdapter both tried); it begins 'hello there, I am a chat model that ignores formats'
                hint: %inspect shows the whole reply

                """)
        // Code that catches it still reads DSPy's whole text.
        c.clear()
        #expect(
            await e.execute(
                """
                from dspy.utils.exceptions import AdapterParseError
                try:
                    qa(question='hi')
                except AdapterParseError as err:
                    print(str(err).splitlines()[0])
                """))
        #expect(c.out == "LM response cannot be serialized to a JSON object.\n")
    }

    @Test func libraryHintsUsePythonSpellings() async throws {
        let (e, c) = try session()
        #expect(await e.execute("dspy.configure(lm=None)\ndspy.Predict('q -> a')(q='x')") == false)
        #expect(
            c.err
                == "error: ValueError: No LM is loaded. Please configure the LM using `dspy.configure(lm=dspy.LM(...))`. e.g, `dspy.configure(lm=dspy.LM('openai/gpt-4o-mini'))`\n"
        )
        c.clear()
        #expect(await e.execute("dspy.LM('openai/m', api_base='http://127.0.0.1:1/v1', num_retries=-1)") == false)
        #expect(c.err.contains("num_retries must be 0 or more"), "\(c.err)")
        #expect(!c.err.contains("numRetries") && !c.err.contains("apiBase"))
    }

    @Test func aMissingKeyIsSaidBeforeAnyRequest() async throws {
        let (e, c) = try session()
        #expect(await e.execute("lm = dspy.LM('openai/gpt-4o', api_key='')"))
        c.clear()
        #expect(await e.execute("dspy.Predict('q -> a', lm=lm)(q='x')") == false)
        #expect(
            c.err == """
                error: [gpt-4o] No API key: set OPENAI_API_KEY or pass api_key=env("NAME") to LM(...).
                hint: A server of your own (api_base) needs no key; https://api.openai.com/v1 does.

                """)
    }

    @Test func aSettingOneTypoAwayGetsANoteAndIsKept() async throws {
        let (e, c) = try session()
        #expect(await e.execute("%push temprature=0.9"))
        #expect(c.err == "note: 'temprature' is not a DSPy setting — did you mean temperature? (kept as a custom key)\n")
        c.clear()
        #expect(await e.execute("with dspy.context(num_thread=2, my_own_key=1):\n    print(dspy.settings.num_thread, dspy.settings.my_own_key)"))
        #expect(c.err == "note: 'num_thread' is not a DSPy setting — did you mean num_threads? (kept as a custom key)\n")
        #expect(c.out == "2 1\n")
    }

    @Test func unknownCommandsSuggestOnlyWhatMakesSense() async throws {
        let (e, c) = try session()
        #expect(await e.execute("%edit") == false)
        #expect(c.err.hasPrefix("error: unknown command %edit\nhint: there is no editor here"))
        c.clear()
        #expect(await e.execute("%exti") == false)
        #expect(c.err == "error: unknown command %exti\nhint: %help lists the commands\n")
        c.clear()
        #expect(await e.execute("%scoeps") == false)
        #expect(c.err == "error: unknown command %scoeps\nhint: did you mean %scopes?\n")
    }

    @Test func saveInAScriptKeepsTheStatementsBeforeIt() async throws {
        let dir = try temporaryDirectory("daily")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (e, c) = try session()
        #expect(await e.execute("x = 1\n%cache\n%who\ny = x + 1\n%save \(dir)/out.dspy\n", file: dir + "/script.dspy"))
        #expect(c.out.hasSuffix("saved 2 inputs to \(dir)/out.dspy\n"))
        #expect(try String(contentsOfFile: dir + "/out.dspy", encoding: .utf8) == "x = 1\ny = x + 1\n")
    }

    @Test func cancellingAJobThatEndedSaysSo() async throws {
        let (e, c) = try session()
        #expect(await e.execute("async def f():\n    return 1\n\nt = f()\n%wait 1"))
        c.clear()
        #expect(await e.execute("%cancel 1"))
        #expect(c.out == "[1] already ended (done); nothing to cancel\n")
    }

    @Test func anAnswerFromTheCacheIsMarkedOnATerminal() async throws {
        let server = try await LoopbackServer.start { _ in completionReply("[[ ## answer ## ]]\nParis\n\n[[ ## completed ## ]]") }
        defer { server.shutdownNow() }
        let capture = Capture()
        let settings = Settings()
        try settings.configure(["lm": try LM("dummy")])
        let e = ShellEngine(output: capture, settings: settings, color: true, responseCache: try ResponseCache(), options: .sharedProcess)
        #expect(
            await e.execute(
                """
                dspy.configure(lm=dspy.LM("openai/m", api_base="\(server.baseURL)/v1", api_key="k"))
                qa = dspy.Predict("question -> answer")
                """))
        #expect(await e.execute("qa(question='Capital of France?').answer"))
        #expect(capture.out == "'Paris'\n")
        capture.clear()
        #expect(await e.execute("qa(question='Capital of France?').answer"))
        #expect(capture.out == "'Paris'\n\u{1B}[2m(cached)\u{1B}[0m\n")
        #expect(server.requests.count == 1)
    }

    @Test func aRecalledLineUsesTheTypedKeyAndThePlaceholderNeverLeaves() async throws {
        let server = try await LoopbackServer.start { _ in completionReply("[[ ## answer ## ]]\nok\n\n[[ ## completed ## ]]") }
        defer { server.shutdownNow() }
        let typed = "lm = dspy.LM('openai/m', api_base='\(server.baseURL)/v1', api_key='sk-typed-0123456789', cache=False)"
        let recalled = "lm = dspy.LM('openai/m', api_base='\(server.baseURL)/v1', api_key=\"<redacted>\", cache=False)"
        #expect(Redaction.redact(typed, environment: [:]).text == recalled)
        let (e, c) = try session()
        #expect(await e.execute(typed))
        #expect(await e.execute(recalled + "\ndspy.Predict('q -> answer', lm=lm)(q='x').answer"))
        #expect(server.requests.last?.header("authorization") == "Bearer sk-typed-0123456789")
        // Another session never typed it: the line fails before any request.
        let (other, oc) = try session()
        let sent = server.requests.count
        #expect(await other.execute(recalled) == false)
        #expect(oc.err.hasPrefix("error: ValueError: api_key is the placeholder \"<redacted>\""), "\(oc.err)")
        #expect(oc.err.contains("api_key=env(\"OPENAI_API_KEY\")"))
        #expect(await other.execute("import os\nos.environ['OPENAI_API_KEY'] = \"<redacted>\"\ndspy.LM('openai/m')") == false)
        #expect(oc.err.contains("OPENAI_API_KEY holds the placeholder"))
        #expect(server.requests.count == sent)
        _ = c
    }

    @Test func aKeyFromTheEnvironmentIsSavedAsEnv() {
        let environment = ["OPENAI_API_KEY": "sk-from-the-environment-42", "HOME": "/root"]
        let source = "lm = dspy.LM('openai/gpt-4o', api_key='sk-from-the-environment-42')\nos.environ['X_TOKEN'] = 'tok-typed-here-77'"
        #expect(
            Redaction.redact(source, environment: environment).text
                == "lm = dspy.LM('openai/gpt-4o', api_key=env(\"OPENAI_API_KEY\"))\nos.environ['X_TOKEN'] = \"<redacted>\"")
    }

}

/// Differences from DSPy 3.4.1 found by running both on one server, now gone.
@Suite struct DSPyParityTests {
    @Test func aPredictionGivenAsAnInputIsSentAsItsRepr() async throws {
        let (e, c) = try session()
        #expect(
            await e.execute(
                """
                q = dspy.Predict("context -> answer")
                q(context=dspy.Prediction(reasoning="r1", answer="a1"))
                print(dspy.settings.lm.history[-1]["messages"][-1]["content"].split("\\n\\nRespond")[0])
                """))
        #expect(c.out.hasSuffix("[[ ## context ## ]]\nPrediction(\n    reasoning='r1',\n    answer='a1'\n)\n"), "\(c.out)")
    }

    @Test func unionsRenderAsDSPyRendersThem() async throws {
        let (e, c) = try session()
        #expect(
            await e.execute(
                """
                s = dspy.Signature("input: str | (int | float) | None, b: int | str -> output: str")
                print(s.input_fields["input"].annotation, s.input_fields["b"].annotation)
                """))
        #expect(c.out == "Union[str, int, float, NoneType] Union[int, str]\n")
    }

    @Test func anExampleWithoutInputsFailsOnlyItsOwnItem() async throws {
        let (e, c) = try session()
        #expect(
            await e.execute(
                """
                qa = dspy.Predict("question -> answer")
                rs = dspy.Parallel(num_threads=2)([(qa, dspy.Example(question="q")), (qa, dspy.Example(question="ok").with_inputs("question"))])
                print(rs[0], rs[1].answer)
                """))
        #expect(c.out == "None dummy answer for: ok\n")
    }

    @Test func parallelHasDSPysAttributes() async throws {
        let (e, c) = try session()
        #expect(
            await e.execute("p = dspy.Parallel(num_threads=2)\nprint(p.timeout, p.straggler_limit, p.num_threads, p.max_errors, p.provide_traceback)")
        )
        #expect(c.out == "120 3 2 10 None\n")
    }

    @Test func settingsDefaultsPrintAsDSPys() async throws {
        let (e, c) = try session()
        #expect(await e.execute("print(dspy.settings.caller_modules, dspy.settings.usage_tracker, dspy.settings.trace)"))
        #expect(c.out == "None None []\n")
        // The session's usage is still counted for %usage.
        c.clear()
        #expect(await e.execute("dspy.Predict('q -> a')(q='x')\n%usage"))
        #expect(c.out.contains("dummy"), "\(c.out)")
    }
}
