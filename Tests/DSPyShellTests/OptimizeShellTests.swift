import Foundation
import TestSupport
import Testing
@testable import DSPyShell

/// The evaluate/optimize/save loop typed into the shell (the DSPy corpus programs 45, 46 and
/// 50-56 compare it with Python DSPy; these check what only the shell does).
@Suite struct OptimizeShellTests {
    @Test func evaluatePrintsATableAndGivesAResult() async throws {
        let (e, c) = try session()
        #expect(
            await e.execute(
                """
                dev = [dspy.Example(question=q, answer="dummy answer for: " + q).with_inputs("question") for q in ["a", "b", "c"]]
                dev[2].answer = "wrong"
                r = dspy.Evaluate(devset=dev, metric=dspy.evaluate.answer_exact_match, num_threads=2, display_table=2)(dspy.Predict("question -> answer"))
                print(r)
                print([s for _, _, s in r.results])
                """))
        #expect(c.out.contains("answer_exact_match"))
        #expect(c.out.contains("✔️ [True]"))
        #expect(c.out.contains("... 1 more rows not displayed ..."))
        #expect(c.out.hasSuffix("EvaluationResult(score=66.67, results=<list of 3 results>)\n[True, True, False]\n"))
    }

    @Test func saveReplacesOnlySavedPrograms() async throws {
        let dir = try temporaryDirectory("shell-save")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("keep me\n".utf8).write(to: URL(fileURLWithPath: dir + "/notes.json"))
        let (e, c) = try session()
        #expect(await e.execute("p = dspy.Predict('question -> answer')\np.save('\(dir)/prog.json')\np.save('\(dir)/prog.json')"))
        #expect(await e.execute("p.save('\(dir)/notes.json')") == false)
        #expect(c.err.contains("refusing to overwrite"))
        #expect(try String(contentsOfFile: dir + "/notes.json", encoding: .utf8) == "keep me\n")
        #expect(await e.execute("p.save('\(dir)/prog.pkl')") == false)
        c.clear()
        #expect(await e.execute("q = dspy.ChainOfThought('question -> answer')\nq.load('\(dir)/prog.json')") == false)
        #expect(c.err.contains("The saved state is a single Predict's"))
    }

    @Test func resultsFilesAreWrittenAndOnlyResultsAreReplaced() async throws {
        let dir = try temporaryDirectory("shell-results")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("question,answer\nq,a\n".utf8).write(to: URL(fileURLWithPath: dir + "/data.csv"))
        let (e, c) = try session()
        #expect(
            await e.execute(
                """
                dev = [dspy.Example(question=q, answer="dummy answer for: " + q).with_inputs("question") for q in ["a", "é"]]
                ev = dspy.Evaluate(devset=dev, metric=dspy.evaluate.answer_exact_match, save_as_csv='\(dir)/r.csv', save_as_json='\(dir)/r.json')
                ev(dspy.Predict("question -> answer"))
                ev(dspy.Predict("question -> answer"))
                """))
        let csv = try String(contentsOfFile: dir + "/r.csv", encoding: .utf8)
        #expect(
            csv
                == "question,example_answer,pred_answer,answer_exact_match\r\na,dummy answer for: a,dummy answer for: a,True\r\né,dummy answer for: é,dummy answer for: é,True\r\n"
        )
        let json = try String(contentsOfFile: dir + "/r.json", encoding: .utf8)
        #expect(json.hasPrefix("[{\"question\": \"a\", \"example_answer\": \"dummy answer for: a\""))
        #expect(json.contains("\"dummy answer for: \\u00e9\""))
        c.clear()
        // A dataset given by mistake is refused before any call is made, and left as it was.
        #expect(
            await e.execute(
                "dspy.Evaluate(devset=dev, metric=dspy.evaluate.answer_exact_match, save_as_csv='\(dir)/data.csv')(dspy.Predict('question -> answer'))"
            ) == false)
        #expect(c.err.contains("PermissionError: refusing to overwrite"))
        #expect(try String(contentsOfFile: dir + "/data.csv", encoding: .utf8) == "question,answer\nq,a\n")
        // Results of another metric are not this run's to replace either.
        #expect(
            await e.execute(
                "dspy.Evaluate(devset=dev, metric=dspy.evaluate.answer_passage_match, save_as_json='\(dir)/r.json')(dspy.Predict('question -> answer'))"
            ) == false)
        #expect(try String(contentsOfFile: dir + "/r.json", encoding: .utf8) == json)
    }

    @Test func anEvaluationRunsAsABackgroundJob() async throws {
        let (e, c) = try session()
        #expect(
            await e.execute(
                """
                dev = [dspy.Example(question=q, answer="dummy answer for: " + q).with_inputs("question") for q in ["a", "b"]]
                evaluate = dspy.Evaluate(devset=dev, metric=dspy.evaluate.answer_exact_match)
                dspy.asyncify(evaluate)(dspy.Predict("question -> answer"))
                %wait 1
                """))
        #expect(c.out == "[1] started\n[1] EvaluationResult(score=100.0, results=<list of 2 results>)\n")
    }

    @Test func ctrlCKeepsWhatAnEvaluationFinished() async throws {
        let (e, c) = try session()
        #expect(
            await e.execute(
                """
                import time
                class Mixed(dspy.Module):
                    def forward(self, question):
                        if question == "slow":
                            time.sleep(30)
                        print("finished", question)
                        return dspy.Prediction(answer=question)
                m = Mixed()
                dev = [dspy.Example(question=q, answer=q).with_inputs("question") for q in ["a", "b", "slow", "c"]]
                """))
        let run = Task { await e.execute("%eval m dev threads=4") }
        // Interrupted once the three quick items are done, however slow the machine.
        for _ in 0..<3000 where c.out.components(separatedBy: "finished ").count < 4 { try await Task.sleep(for: .milliseconds(10)) }
        try await Task.sleep(for: .milliseconds(300))
        let started = ContinuousClock.now
        e.cancelRunning()
        #expect(await run.value == false)
        // Well before the slow item's 30 s sleep ends (a loaded sanitizer run took 11 s).
        #expect(ContinuousClock.now - started < .seconds(25))
        #expect(c.out.contains("interrupted: 3 of 4 examples finished, score over those 100.0 (kept in _)"), "\(c.out)")
        c.clear()
        #expect(await e.execute("[ex.question for ex, _p, _s in _.results]"))
        #expect(c.out == "['a', 'b', 'c']\n")
    }

    @Test func diffShowsWhatAnOptimizerChanged() async throws {
        let (e, c) = try session()
        #expect(
            await e.execute(
                """
                qa = dspy.ChainOfThought("question -> answer")
                train = [dspy.Example(question="q1", answer="a1").with_inputs("question")]
                compiled = dspy.LabeledFewShot(k=1).compile(qa, trainset=train)
                """))
        c.clear()
        #expect(await e.execute("%diff qa compiled"))
        #expect(c.out == "--- qa\n+++ compiled\npredict:\n  demos: 0 -> 1\n  + question='q1', answer='a1'\n")
        c.clear()
        #expect(await e.execute("%diff qa qa"))
        #expect(c.out.hasSuffix("(no differences: the same instructions, fields and demos)\n"))
    }
}
