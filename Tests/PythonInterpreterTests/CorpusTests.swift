import Foundation
import Testing
@testable import PythonInterpreter

extension PythonInterpreterTests {
    /// The differential corpus (Tests/Fixtures/python): each snippet prints exactly what CPython
    /// 3.11 printed, and one ending in an uncaught exception ends with CPython's last traceback line.
    @Suite struct CorpusTests {
        static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/python")

        static var snippets: [String] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            return names.filter { $0.hasSuffix(".py") }.sorted()
        }

        @Test func corpusIsPresent() {
            #expect(CorpusTests.snippets.count >= 355)
        }

        @Test(arguments: CorpusTests.snippets)
        func snippetMatchesCPython(_ name: String) async throws {
            let base = CorpusTests.directory.appendingPathComponent(name).deletingPathExtension()
            let source = try String(contentsOf: base.appendingPathExtension("py"), encoding: .utf8)
            let expected = try String(contentsOf: base.appendingPathExtension("out"), encoding: .utf8)
            let expectedError = try? String(contentsOf: base.appendingPathExtension("err"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let interp = Interpreter(options: .sharedProcess)
            // The corpus runs with this variable set (Scripts/python-corpus).
            interp.environment.setString("DSPY_CORPUS_VAR", .str("hello"))
            let r = await runPython(source, in: interp)
            #expect(r.output == expected)
            if let expectedError {
                let line = r.failure.map { $0.message.isEmpty ? $0.qualifiedKind : "\($0.qualifiedKind): \($0.message)" }
                #expect(line == expectedError)
            } else if let f = r.failure, f.exitCode != 0 {
                Issue.record("\(name) failed: \(f)")
            }
        }
    }
}
