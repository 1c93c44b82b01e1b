import Foundation
import Testing
import Synchronization
@testable import PythonInterpreter

/// Every suite of this target, run one at a time: some tests count the process's Python threads,
/// which tests running in parallel would disturb.
@Suite(.serialized) struct PythonInterpreterTests {}

/// Collects what an interpreter prints.
final class OutputBuffer: Sendable {
    private let text = Mutex("")
    func append(_ s: String) { text.withLock { $0 += s } }
    var value: String { text.withLock { $0 } }
}

/// What running a piece of source did: its standard output and its outcome.
struct RunResult {
    let output: String
    let outcome: Interpreter.Outcome

    /// The error report, if the code failed.
    var failure: ErrorReport? {
        if case .failed(let r) = outcome { return r }
        return nil
    }

    /// `Kind: message` of the failure (as CPython's last traceback line), or nil.
    var error: String? { failure.map { $0.description } }
}

/// Runs `source` as a script in a fresh interpreter (or `interpreter`), capturing stdout.
func runPython(
    _ source: String, in interpreter: Interpreter? = nil, mode: Interpreter.Mode = .file,
    cancel: CancelToken = CancelToken()
) async -> RunResult {
    let interp = interpreter ?? Interpreter(options: .sharedProcess)
    let out = OutputBuffer()
    interp.hooks.writeOutput = { out.append($0) }
    interp.hooks.writeError = { _ in }
    let outcome = await interp.run(source, filename: "<test>", mode: mode, scope: nil, cancel: cancel)
    return RunResult(output: out.value, outcome: outcome)
}

/// Python source lines joined with newlines.
func lines(_ l: String...) -> String { l.joined(separator: "\n") + "\n" }
