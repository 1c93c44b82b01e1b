import DSPy
import Foundation
import Testing
@testable import DSPyShell

/// The Python differential corpus (Tests/Fixtures/python) through the whole shell, as
/// `dspy-repl FILE.py` runs it: the DSPy bindings, builtins and error reporting must not change
/// what CPython 3.11 printed.
@Suite(.sharesTheCPU) struct PythonCorpusShellTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/python")

    static var snippets: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".py") }.sorted()
    }

    @Test(arguments: snippets)
    func snippetPrintsWhatCPythonPrinted(_ name: String) async throws {
        let base = Self.directory.appendingPathComponent(name).deletingPathExtension()
        let source = try String(contentsOf: base.appendingPathExtension("py"), encoding: .utf8)
        let expected = try String(contentsOf: base.appendingPathExtension("out"), encoding: .utf8)
        let expectedError = try? String(contentsOf: base.appendingPathExtension("err"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let (engine, capture) = try session()
        engine.interpreter.environment.setString("DSPY_CORPUS_VAR", .str("hello"))  // as Scripts/python-corpus runs it
        let ok = await engine.execute(source, file: name, record: false)
        #expect(capture.out == expected)
        if let expectedError {
            #expect(!ok)
            let firstLine = capture.err.split(separator: "\n").first.map(String.init) ?? ""
            #expect(firstLine.hasPrefix("error: \(name):") && firstLine.hasSuffix(": " + expectedError), "stderr: \(capture.err)")
        } else {
            #expect(ok || engine.exitRequested, "stderr: \(capture.err)")
        }
    }
}
