import Foundation
import Testing
@testable import PythonInterpreter

extension PythonInterpreterTests {
    /// Every limit that keeps a session alive: the code fails with a Python error, the process lives.
    @Suite struct LimitTests {
        @Test func recursionLimitRaisesRecursionError() async {
            let r = await runPython(lines("def f(n):", "    return f(n + 1)", "f(0)"))
            #expect(r.error == "RecursionError: maximum recursion depth exceeded")
        }

        @Test func recursionErrorIsCatchableAndTheSessionGoesOn() async {
            let interp = Interpreter(options: .sharedProcess)
            let r = await runPython(
                lines(
                    "def f(n):", "    return f(n + 1)",
                    "try:", "    f(0)", "except RecursionError as e:", "    print('caught', e)"), in: interp)
            #expect(r.output == "caught maximum recursion depth exceeded\n")
            let again = await runPython("print(sum(range(10)))\n", in: interp)
            #expect(again.output == "45\n")
        }

        @Test func deepRecursionWithBigFramesStaysWithinTheStack() async {
            // Many locals and deeply nested expressions per frame, recursing below the limit.
            var body = "def deep(n):\n"
            for i in 0..<60 { body += "    v\(i) = [n, (n, {'k': n + \(i)})]\n" }
            body += "    if n == 0:\n        return 0\n"
            body += "    return 1 + deep(n - 1) + len(v0) - 2 + ((((((((((0))))))))))\n"
            let r = await runPython(body + "print(deep(900))\n")
            #expect(r.output == "900\n")
            #expect(r.failure == nil)
            let tooDeep = await runPython(body + "deep(100000)\n")
            #expect(tooDeep.failure?.kind == "RecursionError")
        }

        @Test func recursionThroughDunderMethodsIsCaught() async {
            let r = await runPython(lines("class A:", "    def __repr__(self):", "        return repr(self)", "repr(A())"))
            #expect(r.failure?.kind == "RecursionError")
        }

        @Test func deeplyNestedBracketsAreASyntaxError() async {
            for (open, close) in [("(", ")"), ("[", "]"), ("{", "}")] {
                let source = "x = " + String(repeating: open, count: 100_000) + String(repeating: close, count: 100_000) + "\n"
                let r = await runPython(source)
                #expect(r.failure?.isSyntaxError == true)
                #expect(r.failure?.message == "too many nested parentheses")
            }
        }

        @Test func deeplyNestedUnaryOperatorsAreASyntaxError() async {
            for op in ["-", "+", "~", "not "] {
                let r = await runPython("x = " + String(repeating: op, count: 100_000) + "1\n")
                #expect(r.failure?.isSyntaxError == true, "operator \(op)")
            }
        }

        @Test func deeplyNestedExpressionsOfOtherKindsDoNotCrash() async {
            let sources = [
                "x = " + String(repeating: "1 + (", count: 5000) + "1" + String(repeating: ")", count: 5000),
                "x = " + String(repeating: "lambda: ", count: 20_000) + "1",
                "x = 1" + String(repeating: " if 1 else 1", count: 20_000),
                "x = " + String(repeating: "await ", count: 20_000) + "1",
                (0..<1000).map { String(repeating: " ", count: $0) + "if 1:" }.joined(separator: "\n") + "\n" + String(repeating: " ", count: 1000)
                    + "pass",
            ]
            for s in sources {
                let r = await runPython(s + "\n")
                // Either it runs or it fails with a Python error; it never takes the process down.
                if let f = r.failure { #expect(!f.kind.isEmpty) }
            }
        }

        @Test func hugeStringRepetitionIsAMemoryError() async {
            let r = await runPython("s = 'x' * 10**10\n")
            #expect(r.failure?.kind == "MemoryError")
            let list = await runPython("l = [0] * 10**12\n")
            #expect(list.failure?.kind == "MemoryError")
        }

        @Test func hugePowerIsAMemoryError() async {
            let r = await runPython("x = 10 ** 10**9\n")
            #expect(r.failure?.kind == "MemoryError")
            let shift = await runPython("x = 1 << 10**10\n")
            #expect(shift.failure != nil)
        }

        /// Runs `source`, cancelling it (as Ctrl-C does) once `delay` has passed.
        func runCancelled(_ source: String, after delay: Duration) async -> RunResult {
            let token = CancelToken()
            async let result = runPython(source, cancel: token)
            try? await Task.sleep(for: delay)
            token.cancel()
            return await result
        }

        @Test func infiniteLoopStopsWhenCancelled() async {
            let started = Date()
            let r = await runCancelled("while True:\n    pass\n", after: .milliseconds(200))
            #expect(r.failure?.isInterrupt == true)
            #expect(Date().timeIntervalSince(started) < 10)
        }

        /// A modular power with a big modulus is one builtin call that takes minutes (in CPython
        /// too): Ctrl-C stops it between its multiplications.
        @Test(.timeLimit(.minutes(1))) func cancellingStopsALongModularPower() async {
            let r = await runCancelled("x = pow(3, 2**1000, 7**100000)\n", after: .milliseconds(300))
            #expect(r.failure?.isInterrupt == true)
        }

        @Test func cancellingStopsAnInfiniteLoopThatCatchesEverything() async {
            let r = await runCancelled(
                lines("while True:", "    try:", "        pass", "    except BaseException:", "        pass"),
                after: .milliseconds(100))
            #expect(r.failure?.isInterrupt == true)
        }

        @Test func deepDataStructureReprIsARecursionError() async {
            let r = await runPython(lines("l = []", "for _ in range(200000):", "    l = [l]", "s = repr(l)"))
            #expect(r.failure?.kind == "RecursionError")
            let d = await runPython(lines("d = {}", "for _ in range(200000):", "    d = {'k': d}", "s = str(d)"))
            #expect(d.failure?.kind == "RecursionError")
        }

        @Test func deepDataStructureEqualityIsARecursionError() async {
            let r = await runPython(lines("a = []", "b = []", "for _ in range(200000):", "    a = [a]", "    b = [b]", "a == b"))
            #expect(r.failure?.kind == "RecursionError")
        }

        @Test func recursiveContainersPrintWithEllipsis() async {
            let r = await runPython(lines("l = [1]", "l.append(l)", "d = {}", "d['me'] = d", "print(l, d)"))
            #expect(r.output == "[1, [...]] {'me': {...}}\n")
        }
    }
}
