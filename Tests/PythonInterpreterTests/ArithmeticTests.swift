import Foundation
import Testing
@testable import PythonInterpreter

extension PythonInterpreterTests {
    /// `Arithmetic.evaluate`: Python's syntax and numbers, nothing but arithmetic.
    @Suite struct ArithmeticTests {
        func outcome(_ expression: String) -> String {
            do { return try Arithmetic.evaluate(expression).description } catch { return error.description }
        }

        @Test func numbersKeepPythonsIntAndFloatApart() throws {
            #expect(try Arithmetic.evaluate("2 ** 100") == .bigInt("1267650600228229401496703205376"))
            #expect(try Arithmetic.evaluate("-(2 ** 63)") == .int(Int.min))
            #expect(try Arithmetic.evaluate("2 ** 63") == .bigInt("9223372036854775808"))
            #expect(try Arithmetic.evaluate("-2 ** 64") == .bigInt("-18446744073709551616"))
            #expect(try Arithmetic.evaluate("-2 ** 2") == .int(-4))
            #expect(try Arithmetic.evaluate("7 // -2") == .int(-4))
            #expect(try Arithmetic.evaluate("-7 % 3") == .int(2))
            #expect(try Arithmetic.evaluate("4 / 2") == .float(2))
            #expect(try Arithmetic.evaluate("round(2.675, 2)") == .float(2.67))
            #expect(try Arithmetic.evaluate("round(7.5)") == .int(8))
            #expect(try Arithmetic.evaluate("max(2, 2.5, 1)") == .float(2.5))
            #expect(try Arithmetic.evaluate("floor(-0.5)") == .int(-1))
        }

        @Test func descriptionsAreReprs() {
            #expect(Arithmetic.Number.float(1e16).description == "1e+16")
            #expect(Arithmetic.Number.float(2).description == "2.0")
            #expect(Arithmetic.Number.float(-.infinity).description == "-inf")
            #expect(Arithmetic.Number.int(-3).description == "-3")
            #expect(Arithmetic.Number.bigInt("-18446744073709551616").description == "-18446744073709551616")
            #expect(Arithmetic.Failure(kind: "ValueError", message: "math domain error").description == "ValueError: math domain error")
            #expect(Arithmetic.Failure(kind: nil, message: "refused").description == "refused")
        }

        @Test func pythonValuesOfNumbers() throws {
            let big = Arithmetic.Number.bigInt("-1267650600228229401496703205376").python
            #expect(big.bigInt?.description == "-1267650600228229401496703205376" && big.smallInt == nil)
            #expect(Arithmetic.Number.bigInt("12").python.smallInt == 12)
            if case .str(let s) = Arithmetic.Number.bigInt("1e5").python { #expect(s == "1e5") } else { Issue.record("not a str") }
            if case .float(let d) = Arithmetic.Number.float(0.5).python { #expect(d == 0.5) } else { Issue.record("not a float") }
        }

        /// The same text as the interpreter prints for the same expression: one number model.
        @Test func agreesWithTheInterpreter() async {
            let expressions = [
                "2 ** 100 - 1", "7 // -2", "-7 % 3", "10 / 4", "1 / 3", "2 ** -2", "(-2) ** 3", "2.0 ** 0.5", "1e308 * 10", "-(1e308 * 10)",
                "10 ** 20 / 3", "10 ** 30 // 7", "(2 ** 80) % -3", "-(2 ** 70) // 3", "abs(-2 ** 70)", "round(2.5)", "round(-0.5)",
                "round(1234.5678, -2)",
                "round(10 ** 25 + 0.5)", "min(3, 2.0, 2)", "max(1, 2 ** 64)", "floor(1e20)", "ceil(-1e-9)", "log(8, 2)", "log2(2 ** 1100)",
                "log10(10 ** 400)", "log(10 ** 5000)", "exp(1)", "sin(pi / 6)", "cos(tau)", "tan(pi / 4)", "sqrt(2 ** 100)", "e ** 2", "inf - inf",
                "1 / 0", "1 // 0", "5 % 0", "2.5 // 0", "0 ** -1", "0.0 ** -1", "sqrt(-1)", "log(0)", "log(-2 ** 2000)", "exp(1000)",
                "10.0 ** 400", "sqrt(10 ** 400)", "floor(inf)", "ceil(inf - inf)", "round(inf)", "2 ** 10000 / 3", "max()", "min(4)",
                "round(1, 2, 3)",
            ]
            let imports = "from math import sqrt, floor, ceil, log, log2, log10, exp, sin, cos, tan, pi, e, tau, inf\n"
            for expression in expressions {
                let r = await runPython(imports + "print(repr(\(expression)))\n")
                let expected = r.error ?? String(r.output.dropLast())
                #expect(outcome(expression) == expected, "\(expression)")
            }
        }

        @Test func errorsAreCPythonsLastTracebackLine() throws {
            #expect(throws: Arithmetic.Failure(kind: "ZeroDivisionError", message: "division by zero")) { try Arithmetic.evaluate("1 / 0") }
            #expect(throws: Arithmetic.Failure(kind: "ValueError", message: "math domain error")) { try Arithmetic.evaluate("sqrt(-2)") }
            #expect(throws: Arithmetic.Failure(kind: "OverflowError", message: "math range error")) { try Arithmetic.evaluate("exp(710)") }
            #expect(throws: Arithmetic.Failure(kind: "SyntaxError", message: "invalid syntax at position 5")) { try Arithmetic.evaluate("1 + * 2") }
            #expect(throws: Arithmetic.Failure(kind: "SyntaxError", message: "invalid syntax at position 7")) {
                try Arithmetic.evaluate("\t 1 + * 2")
            }
            #expect(throws: Arithmetic.Failure(kind: "SyntaxError", message: "invalid syntax at position 12")) {
                try Arithmetic.evaluate("(1 +\n 2) + * 3")
            }
            #expect(throws: Arithmetic.Failure(kind: "SyntaxError", message: "the expression is empty")) { try Arithmetic.evaluate(" \n\t") }
        }

        /// Nothing but numbers, arithmetic, the listed functions and constants reaches evaluation.
        @Test func codeIsRefusedBeforeItRuns() {
            let refused = [
                "__import__('os').system('true')", "open('/etc/passwd')", "print(1)", "exec('1')", "eval('1')", "getattr(1, 'real')",
                "().__class__.__bases__", "(1).real", "[1][0]", "{}", "{1}", "[x for x in (1,)]", "lambda: 0", "'a' * 3", "b'a'",
                "x", "_", "__builtins__", "math.sqrt(4)", "sqrt.__doc__", "abs(x=1)", "max(*(1, 2))", "min(**{})", "1 if 1 else 2",
                "not 1", "1 == 1", "1 & 1", "1 | 2", "1 >> 1", "1 @ 1", "True", "None", "...", "(a := 1)", "f'{1}'", "sqrt",
                "pi()", "abs(1)(2)", "1, 2", "await abs(1)",
            ]
            for expression in refused {
                do {
                    let value = try Arithmetic.evaluate(expression)
                    Issue.record("\(expression) gave \(value)")
                } catch {
                    let lists =
                        "the functions sqrt, abs, round, min, max, floor, ceil, log, log2, log10, exp, sin, cos, tan, and the constants pi, e, tau, inf"
                    let isRefusal = error.kind == nil && error.message.contains(" is not allowed") && error.message.hasSuffix(lists)
                    // `await` outside a function and `b'a'` may already fail to parse; that is refused too.
                    #expect(isRefusal || error.kind == "SyntaxError", "\(expression): \(error)")
                }
            }
        }

        @Test func limits() {
            let chain = String(repeating: "1+", count: 2_899) + "1"
            let fits = chain + String(repeating: " ", count: Arithmetic.maxLength - chain.count)
            #expect(outcome(fits) == "2900")
            #expect(
                outcome(String(repeating: "1+", count: 4_999) + "1").hasPrefix("RecursionError: maximum recursion depth exceeded during compilation"))
            #expect(outcome(fits + "0") == "the expression is too long (10001 characters; the limit is 10000)")
            // The bound is checked before computing, from the operands' widths (2 is 2 bits wide).
            #expect(outcome("2 ** 32769") == "MemoryError: integer result of ** is too large (more than 65536 bits)")
            #expect(outcome("2 ** 32768 // 2 ** 32767") == "2")
            #expect(outcome("(2 ** 32768) * (2 ** 32768)") == "MemoryError: integer result too large")
            #expect(outcome("10 ** 4299 // 1") == "1" + String(repeating: "0", count: 4299))
            #expect(outcome("-(10 ** 4300 - 1)") == "-" + String(repeating: "9", count: 4300))
            #expect(
                outcome("10 ** 4300")
                    == "ValueError: Exceeds the limit (4300 digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit"
            )
            #expect(
                outcome(String(repeating: "7", count: 4301)).hasPrefix("SyntaxError: Exceeds the limit (4300 digits) for integer string conversion"))
            #expect(
                outcome(String(repeating: "(", count: 300) + "1" + String(repeating: ")", count: 300)).hasPrefix(
                    "SyntaxError: too many nested parentheses"))
            #expect(outcome(String(repeating: "-", count: 5_000) + "1").hasPrefix("SyntaxError: too many nested parentheses"))
        }

        @Test func slowEvaluationsStopAtTheTimeLimit() {
            #expect(throws: Arithmetic.Failure(kind: "TimeoutError", message: "the calculation took longer than its limit of 0.0 s")) {
                try Arithmetic.evaluate("1 + 1", timeLimit: .zero)
            }
        }

        /// Many threads at once share one interpreter; a Python thread of another interpreter
        /// (the shell calling the tool) evaluates in place, holding both locks without deadlock.
        @Test func concurrentAndNestedCallsAgree() async throws {
            let values = try await withThrowingTaskGroup(of: (Int, Arithmetic.Number).self) { group in
                for i in 0..<48 { group.addTask { (i, try Arithmetic.evaluate("\(i) ** 25 - \(i) ** 24 * \(i) + \(i) / 2")) } }
                return try await group.reduce(into: [Int: Arithmetic.Number]()) { $0[$1.0] = $1.1 }
            }
            for i in 0..<48 { #expect(values[i] == .float(Double(i) / 2), "\(i)") }
            let other = Interpreter(options: .sharedProcess)
            let nested = try other.runPythonBlocking { _ in try Arithmetic.evaluate("2 ** 70 // 3") }
            #expect(nested == .bigInt("393530540239137101141"))
        }

        @Test func integerSizeBoundIsAnInterpreterOption() async {
            var options = Interpreter.Options()
            options.maxIntegerBits = 1_000
            let small = Interpreter(options: options)
            #expect(await runPython("print((2 ** 500).bit_length(), (1 << 999).bit_length())\n", in: small).output == "501 1000\n")
            #expect(await runPython("2 ** 501\n", in: small).error == "MemoryError: integer result of ** is too large (more than 1000 bits)")
            #expect(await runPython("(2 ** 500) * (2 ** 500)\n", in: small).error == "MemoryError: integer result too large")
            #expect(await runPython("1 << 1000\n", in: small).error == "MemoryError: integer result of << is too large")
            #expect(await runPython("print((2 ** 100000).bit_length())\n").output == "100001\n")
        }

        /// CPython's loghelper: a float of the int when it converts, else frexp's parts.
        @Test func logarithmsOfHugeInts() async {
            let r = await runPython(
                lines(
                    "import math",
                    "print(math.log(10 ** 5000), math.log10(10 ** 400), math.log2(2 ** 2000), math.log(3 ** 700, 3))",
                    "print(math.log(2 ** 70), math.log(2 ** 1023 * 3), math.log10(7 ** 1000), math.log2(float('nan')), math.log(float('inf')))",
                    "for f in (math.log, math.log2, math.log10):",
                    "    try:",
                    "        f(-(10 ** 400))",
                    "    except ValueError as e:",
                    "        print(e)"))
            #expect(r.error == nil)
            #expect(
                r.output
                    == lines(
                        "11512.925464970229 400.0 2000.0 700.0",
                        "48.520302639196174 710.1881780014921 845.0980400142569 nan inf",
                        "math domain error", "math domain error", "math domain error"))
        }
    }
}
