import DSPy
import Testing

@testable import DSPyShell

/// Settings in the shell: values checked where they are set, LM knobs applied at call time.
@Suite struct SettingsShellTests {
    @Test func aWrongValueIsAnErrorAndNothingIsPushed() async throws {
        let (e, c) = try session()
        #expect(!(await e.execute("%push num_threads=4.5")))
        #expect(c.err == "error: ValueError: num_threads must be a whole number of workers, at least 1, got 4.5\n")
        #expect(e.prompt == "dspy> ")
        c.clear()
        #expect(!(await e.execute("dspy.configure(track_usage='yes')")))
        #expect(c.err.hasPrefix("error: ValueError: track_usage must be True or False, got \"yes\""))
        c.clear()
        #expect(await e.execute("dspy.settings.num_threads, dspy.settings.track_usage"))
        #expect(c.out == "(8, False)\n")
    }

    @Test func knobsAreSettingsWithTheirLayer() async throws {
        let (e, c) = try session()
        #expect(await e.execute("%push temperature=0.5 max_tokens=200\n%settings"))
        let lines = c.out.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("temperature ") && $0.hasSuffix("= 0.5   (scope 1)") }, "\(c.out)")
        #expect(lines.contains { $0.hasPrefix("max_tokens ") && $0.hasSuffix("= 200   (scope 1)") }, "\(c.out)")
        #expect(lines.contains { $0.hasPrefix("lm ") && $0.hasSuffix("= LM('dummy')   (configure)") }, "\(c.out)")
    }

    /// The request itself is checked in the library (SettingKeyTests.lmKnobsApplyToWhicheverLMCallsAtCallTime).
    @Test func knobsReachTheLMConfiguredInsideTheScope() async throws {
        let (e, c) = try session()
        let script = """
            b = dspy.LM("dummy/b")
            qa = dspy.Predict("question -> answer")
            with dspy.context(temperature=0.5):
                dspy.configure(lm=b)
                print(qa(question="q").answer, dspy.settings.temperature, dspy.settings.lm.model)
            print(dspy.settings.temperature, dspy.settings.lm.model, len(b.history))
            """
        #expect(await e.execute(script, file: "t.py"), "\(c.err)")
        #expect(c.out == "dummy answer for: q 0.5 dummy/b\nNone dummy/b 1\n", "\(c.out)")
    }
}

@Suite struct TraceSettingShellTests {
    @Test func anEmptyListStartsAFreshTraceAsInDSPy() async throws {
        let (e, c) = try session()
        let script = """
            qa = dspy.Predict("question -> answer")
            with dspy.context(trace=[]):
                qa(question="q")
                print(len(dspy.settings.trace))
            """
        #expect(await e.execute(script, file: "t.py"), "\(c.err)")
        #expect(c.out == "1\n", "\(c.out)")
    }
}
