import DSPy
import Foundation
import Testing
@testable import DSPyShell

/// `%stream CALL`: live field output, then the prediction; help, completion and Ctrl-C.
@Suite struct StreamMagicTests {
    @Test func streamPrintsEachFieldThenThePrediction() async throws {
        let (e, c) = try session()
        #expect(await e.execute("qa = ChainOfThought(\"question -> answer\")\nqa(question=\"What is 2+2?\")"))
        let plain = c.out
        c.clear()
        #expect(await e.execute("%stream qa(question=\"What is 2+2?\")"))
        #expect(c.err == "")
        #expect(c.out == "reasoning:\ndummy reasoning for: What is 2+2?\nanswer:\ndummy answer for: What is 2+2?\n" + plain)
        c.clear()
        #expect(await e.execute("_.answer"))
        #expect(c.out == "'dummy answer for: What is 2+2?'\n")
    }

    @Test func streamNeedsAModuleCall() async throws {
        let (e, c) = try session()
        #expect(await e.execute("%stream") == false)
        #expect(c.err.contains("%stream needs a call"))
        c.clear()
        #expect(await e.execute("x = 1\n%stream x(question=\"q\")") == false)
        #expect(c.err.contains("%stream works on modules"))
    }

    @Test func streamIsInHelpAndCompletion() async throws {
        let (e, c) = try session()
        #expect(await e.execute("%help"))
        #expect(c.out.contains("%stream CALL"))
        #expect(e.completions(for: "%str").candidates == ["stream "])
        #expect(await e.execute("qa = Predict(\"question -> answer\")"))
        #expect(e.completions(for: "%stream qa(ques").candidates.contains("question="))
    }

    @Test func ctrlCStopsAStream() async throws {
        let (e, c) = try session()
        e.define("slow", module: try testPredict(latency: .seconds(30)))
        let run = Task { await e.execute("%stream slow(question=\"x\")") }
        // Cancel once the statement runs (cancellation then sticks, however busy the machine is).
        for _ in 0..<500 where e.state.withLock({ $0.running }) == nil { try await Task.sleep(for: .milliseconds(10)) }
        e.cancelRunning()
        #expect(await run.value == false)
        #expect(c.err == "error: interrupted\n")
        #expect(await e.execute("1 + 1"))
    }
}
