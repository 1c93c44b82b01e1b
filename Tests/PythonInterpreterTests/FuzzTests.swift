import Testing
@testable import PythonInterpreter

extension PythonInterpreterTests {
    /// Random statements from a small grammar (fixed seed): each one runs or raises a Python
    /// exception; none traps, hangs or corrupts the session.
    @Suite struct FuzzTests {
        /// A deterministic generator (SplitMix64), so failures reproduce.
        struct Random {
            var state: UInt64
            mutating func next() -> UInt64 {
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                return z ^ (z >> 31)
            }
            mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
            mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
        }

        struct Grammar {
            var random: Random
            let atoms = [
                "0", "1", "-1", "2**63", "-(2**63)", "9223372036854775807", "0.5", "-0.0", "1e308", "float('nan')",
                "float('inf')", "''", "'abc'", "'é🙂'", "None", "True", "False", "[]", "[1, 2]", "()", "(1,)", "{}",
                "{'k': 1}", "{1, 2}", "x", "y", "s", "l", "d", "len", "str", "int", "range(3)", "b'x'", "...",
                "lambda: 0", "object()", "10**20", "'%s'", "'{}'",
            ]
            let binary = [
                "+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "|", "^", "==", "!=", "<", "<=", ">", ">=",
                "in", "not in", "is", "and", "or", "@",
            ]
            let unary = ["-", "+", "~", "not "]

            mutating func expression(_ depth: Int = 0) -> String {
                if depth > 3 { return random.pick(atoms) }
                switch random.below(12) {
                case 0, 1, 2: return random.pick(atoms)
                case 3, 4: return "(\(expression(depth + 1)) \(random.pick(binary)) \(expression(depth + 1)))"
                case 5: return "(\(random.pick(unary))\(expression(depth + 1)))"
                case 6: return "\(expression(depth + 1))[\(expression(depth + 1))]"
                case 7: return "\(expression(depth + 1))[\(random.pick(atoms)):\(random.pick(atoms))]"
                case 8:
                    return
                        "\(random.pick(["len", "str", "repr", "int", "float", "list", "sorted", "abs", "hash", "bool", "min", "sum", "tuple", "set", "dict", "round", "divmod", "pow", "format"]))(\(expression(depth + 1)))"
                case 9:
                    return
                        "\(expression(depth + 1)).\(random.pick(["upper()", "append(1)", "keys()", "split()", "pop()", "real", "__class__", "__name__", "count(1)", "index(0)", "bit_length()", "get(1)", "join([])", "format(1)", "strip()", "copy()"]))"
                case 10: return "[\(expression(depth + 1)) for v in \(expression(depth + 1))]"
                default: return "f'{\(expression(depth + 1))!r:>{3}}'"
                }
            }

            mutating func statement() -> String {
                switch random.below(10) {
                case 0: return "x = \(expression())"
                case 1: return "l.append(\(expression()))"
                case 2: return "d[\(expression())] = \(expression())"
                case 3: return "if \(expression()):\n    y = \(expression())\nelse:\n    y = \(expression())"
                case 4: return "for v in \(expression()):\n    s = str(v)\n    break"
                case 5: return "try:\n    x = \(expression())\nexcept ZeroDivisionError:\n    x = 0"
                case 6: return "def f(a, b=\(expression())):\n    return a \(random.pick(binary)) b\nx = f(\(expression()))"
                case 7: return "class C:\n    z = \(expression())\nx = C().z"
                case 8: return "del d[\(expression())]"
                default: return "print(\(expression()))"
                }
            }
        }

        @Test func randomStatementsRunOrRaisePythonErrors() async {
            var grammar = Grammar(random: Random(state: 20_251_201))
            let interp = Interpreter(options: .sharedProcess)
            _ = await runPython("x = 1\ny = 2\ns = 'abc'\nl = [1, 2, 3]\nd = {'a': 1}\n", in: interp)
            var ran = 0, raised = 0
            for _ in 0..<2500 {
                let statement = grammar.statement()
                let r = await runPython(statement + "\n", in: interp)
                if let f = r.failure {
                    // A Python exception (or a syntax error), never an internal failure.
                    #expect(!f.kind.isEmpty, "statement: \(statement) -> \(f.message)")
                    #expect(!f.isInterrupt, "statement: \(statement)")
                    raised += 1
                } else {
                    ran += 1
                }
                // Keep the session's values small so the run stays fast.
                _ = await runPython("l = l[-5:]\nif len(d) > 5: d = {'a': 1}\n", in: interp)
            }
            #expect(ran > 300)
            #expect(raised > 300)
            let after = await runPython("print(1 + 1)\n", in: interp)
            #expect(after.output == "2\n")
        }
    }
}
