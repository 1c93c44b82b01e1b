import DSPy
import Foundation
import Testing
import TestSupport
@testable import DSPyShell

/// The fuzzer's regression suite: generated shell input (``ShellFuzzGrammar``, the grammar
/// `Scripts/fuzz` uses, with a fixed seed) through the engine in-process. Every input runs or
/// reports an error, none crashes the process, a statement still running after a deadline stops
/// at Ctrl-C (``ShellEngine/cancelRunning()``), and the session answers `1 + 1` afterwards.
@Suite struct ShellFuzzTests {
    /// How many inputs, in batches of 100 (each a fresh prelude in the same session).
    static let batches = 50
    static let seed: UInt64 = 20_260_601
    /// When a statement is still running after this long, it gets Ctrl-C.
    static let deadline: Duration = .seconds(10)
    static let trace = ProcessInfo.processInfo.environment["SHELL_FUZZ_TRACE"] != nil

    /// Runs `source` as a script; past the deadline it is cancelled as Ctrl-C would, repeatedly,
    /// until it ends. Returns whether it succeeded and whether it had to be cancelled.
    static func runBounded(_ engine: ShellEngine, _ source: String) async -> (ok: Bool, cancelled: Bool) {
        let finished = Locked(false)
        let cancelled = Locked(false)
        let ok = await withTaskGroup(of: Bool?.self) { group in
            group.addTask {
                let ok = await engine.execute(source, file: "fuzz.dspy", keepGoing: true, record: false)
                finished.withLock { $0 = true }
                return ok
            }
            group.addTask {
                // Cancelled (by the loop below) as soon as the statement ends in time.
                do { try await Task.sleep(for: deadline) } catch { return nil }
                cancelled.withLock { $0 = true }
                while !finished.withLock({ $0 }) {
                    engine.cancelRunning()
                    try? await Task.sleep(for: .milliseconds(50))
                }
                return nil
            }
            var result = false
            for await r in group {
                if let r {
                    result = r
                    group.cancelAll()
                }
            }
            return result
        }
        return (ok, cancelled.withLock { $0 })
    }

    /// Found by the fuzzer: a value nested 10 000 levels deep passed to a module overflowed the
    /// stack of the thread formatting it (SIGSEGV). Values deeper than the library's JSON limit
    /// are now a RecursionError at the boundary; 500 levels still work.
    @Test func deeplyNestedModuleInputsAreARecursionError() async throws {
        let (e, c) = try session()
        #expect(await e.execute("qa = Predict('question -> answer')\nw = 0\nfor _ in range(10000):\n    w = (w,)", file: "t.dspy"))
        for call in [
            "qa(question=w)", "qa.batch([{'question': w}])", "%prompt qa(question=w)",
            "await qa.acall(question=w)", "dspy.Parallel()([(qa, {'question': w})])",
        ] {
            c.clear()
            _ = await e.execute(call, file: "t.dspy")
            #expect(
                c.err.contains("RecursionError: maximum recursion depth exceeded: the value is nested more than 512 levels deep"),
                "\(call): \(c.err)")
        }
        c.clear()
        #expect(await e.execute("v = 0\nfor _ in range(500):\n    v = [v]\nqa(question=v).answer[:22]", file: "t.dspy"))
        #expect(c.out == "'dummy answer for: «[[['\n")
    }

    /// Found by the fuzzer (2 hangs in 191 792 inputs): after a statement of megabytes, a script
    /// with many `=` that does not tokenize was redacted by a fallback that copied its whole
    /// output at every `=` (10 s for a thousand after 2.3 MB, minutes after 7 MB).
    @Test(.timeLimit(.minutes(1))) func redactingAnUntokenizableScriptIsLinear() async throws {
        let (e, c) = try session()
        let source =
            "w = x" + String(repeating: ".real", count: 200_000) + "\nf(x=" + String(repeating: "0xtra=", count: 5_000)
            + "1)\napi_key = 'sk-abcdef123456' +\n"
        #expect(!(await e.execute(source, file: "t.dspy", keepGoing: true, echo: true)))
        #expect(c.err.contains("t.dspy:2:5: SyntaxError: invalid decimal literal"), "\(c.err.prefix(300))")
        #expect(c.out.contains("api_key = \"<redacted>\" +") && !c.out.contains("sk-abcdef123456"))
    }

    /// About a minute in a debug build; the limit also covers waiting for a CPU slot and a
    /// thread-sanitizer run on a loaded machine (which took 297 s of the former 5 minutes).
    @Test(.timeLimit(.minutes(10)), .sharesTheCPU) func generatedInputsRunOrReportErrors() async throws {
        let (engine, capture) = try session()
        var ran = 0, failed = 0
        var interrupted: [String] = []
        for batch in 0..<Self.batches {
            let prelude = ShellFuzzGrammar.prelude.joined(separator: "\n")
            #expect(await engine.execute(prelude, file: "prelude.dspy", record: false), "prelude: \(capture.err)")
            for input in ShellFuzzInputs.batch(seed: Self.seed, index: batch, count: 100, intensity: .regression) {
                // SHELL_FUZZ_TRACE=1 shows each input before it runs (to find one that crashes the process).
                if Self.trace { FileHandle.standardError.write(Data("--- batch \(batch)\n\(input)\n".utf8)) }
                capture.clear()
                let started = ContinuousClock.now
                let (ok, cancelled) = await Self.runBounded(engine, input)
                if Self.trace { FileHandle.standardError.write(Data("--- took \(ContinuousClock.now - started)\n".utf8)) }
                if cancelled { interrupted.append(input) }
                if ok {
                    ran += 1
                } else {
                    failed += 1
                    // A failure is reported: an `error:` line (a Python exception, a syntax error, a
                    // shell error or `interrupted`), never silence.
                    #expect(capture.err.contains("error:"), "input (batch \(batch)):\n\(input)\nstderr: \(capture.err.prefix(500))")
                }
                #expect(!capture.err.contains("Fatal error"), "input (batch \(batch)):\n\(input)")
            }
            // Still answering, with nothing pushed that outlives the batch.
            while engine.prompt != "dspy> " { _ = await engine.execute("%pop", record: false) }
            capture.clear()
            #expect(await engine.execute("1 + 1", record: false), "after batch \(batch): \(capture.err)")
            #expect(capture.out == "2\n", "after batch \(batch)")
        }
        // Both kinds are common, so the grammar reaches the runtime and its error paths.
        #expect(ran > Self.batches * 30)
        #expect(failed > Self.batches * 10)
        // A statement that needed Ctrl-C is slow, not stuck: it ended when cancelled.
        if !interrupted.isEmpty { print("ShellFuzzTests: \(interrupted.count) inputs needed Ctrl-C:\n" + interrupted.joined(separator: "\n---\n")) }
    }
}
