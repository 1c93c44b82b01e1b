import Testing
@testable import PythonInterpreter

extension PythonInterpreterTests {
    /// The auto-indentation of an unfinished interactive entry.
    @Suite struct IndentationTests {
        @Test(arguments: [
            ("def f(x):", "    "),
            ("def f(x):\n    if x:", "        "),
            ("def f(x):\n    if x:\n        return 1", "    "),
            ("for i in range(3):\n    total += i", "    "),
            ("while True:\n    break", ""),
            ("class A:  # a comment", "    "),
            ("x = {'a': 1,", ""),
            ("    y = [1,", "    "),
            ("s = \"\"\"text", ""),
            ("d = {'k:':", ""),
            ("if a:\n    pass", ""),
            ("try:\n    raise ValueError('x:')", ""),
            ("with open('f') as f:\n    data = f.read()", "    "),
        ])
        func nextLineIndentation(_ buffer: String, _ expected: String) {
            #expect(StatementSplitter.indentation(after: buffer) == expected)
        }
    }
}
