import DSPy
import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The DSPy program corpus under Tests/Fixtures/dspy: each `NN_name.py` is a DSPy program as
/// Python users write it, and `NN_name.requests.jsonl` / `NN_name.out` are what Python DSPy
/// 3.4.1 sent to the FixtureResponder LM and printed (recorded by Scripts/dspy-corpus).
enum DSPyCorpus {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/dspy")

    /// The programs' file names, sorted.
    static var programs: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".py") }.sorted()
    }

    /// How long one program may run before it is killed (a guard against hangs, not a measurement).
    static let timeoutSeconds = 180

    /// The implementation under test: `dspy-repl`, or the command in `DSPY_CORPUS_COMMAND`
    /// (words separated by spaces, e.g. Python DSPy's venv python, to check the harness itself).
    static var command: [String] {
        if let custom = ProcessInfo.processInfo.environment["DSPY_CORPUS_COMMAND"], !custom.isEmpty {
            return custom.split(separator: " ").map(String.init)
        }
        return [builtProduct("dspy-repl")]
    }

    static func read(_ name: String) -> String? {
        try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }
}

/// Runs every corpus program with the real `dspy-repl` against an in-process FixtureResponder
/// server and compares what it sent and printed with Python DSPy's fixtures.
@Suite struct DSPyProgramCorpusTests {
    @Test func corpusIsThere() {
        #expect(DSPyCorpus.programs.count >= 40, "expected the DSPy program corpus in \(DSPyCorpus.directory.path)")
    }

    @Test(arguments: DSPyCorpus.programs)
    func programMatchesPythonDSPy(program: String) async throws {
        let base = String(program.dropLast(".py".count))
        let expectedLines = try #require(DSPyCorpus.read(base + ".requests.jsonl"),
                                         "\(base).requests.jsonl is missing: run Scripts/dspy-corpus")
            .split(separator: "\n").map(String.init)
        let expectedOut = try #require(DSPyCorpus.read(base + ".out"), "\(base).out is missing: run Scripts/dspy-corpus")
        let command = DSPyCorpus.command
        try #require(FileManager.default.isExecutableFile(atPath: command[0]), "\(command[0]) is not an executable (is dspy-repl built?)")

        let server = try await LoopbackServer.start(FixtureResponder.handler)
        defer { server.shutdownNow() }
        let path = DSPyCorpus.directory.appendingPathComponent(program).path
        let run = try await runCorpusProgram(command: command, program: path, apiBase: server.baseURL + "/v1")
        let actualLines = FixtureNormalization.sorted(server.requests.map(FixtureNormalization.line))

        // Booleans, so that a failure prints the readable difference rather than both values whole.
        let exitedCleanly = !run.timedOut && run.status == 0
        let requestsMatch = actualLines == expectedLines
        let stdoutMatches = run.stdout == expectedOut
        #expect(exitedCleanly, "\(run.summary(program: program))")
        #expect(requestsMatch, "\(program): \(requestDifference(expected: expectedLines, actual: actualLines))")
        #expect(stdoutMatches, "\(program): \(stdoutDifference(expected: expectedOut, actual: run.stdout))")
    }
}

// MARK: - Running a program

struct CorpusRun {
    let status: Int32
    let timedOut: Bool
    let stdout: String
    let stderr: String

    /// One line on how the run ended, plus the end of its stderr.
    func summary(program: String) -> String {
        let ending = timedOut ? "killed after \(DSPyCorpus.timeoutSeconds) s" : "exit status \(status)"
        let lines = stderr.split(separator: "\n", omittingEmptySubsequences: false)
        let tail = lines.suffix(12).joined(separator: "\n")
        return "\(program): \(ending)" + (stderr.isEmpty ? "" : "; stderr ends:\n\(tail)")
    }
}

/// Runs `COMMAND PROGRAM` (`dspy-repl PROGRAM`) with the corpus environment (the same as Scripts/dspy-corpus gives
/// Python: fresh cache, data, config and home directories), killing it after the timeout.
func runCorpusProgram(command: [String], program: String, apiBase: String) async throws -> CorpusRun {
    let dir = NSTemporaryDirectory() + "dspy-corpus-\(UUID().uuidString)"
    for sub in ["cache", "data", "config", "home", "dspy-cache"] {
        try FileManager.default.createDirectory(atPath: dir + "/" + sub, withIntermediateDirectories: true)
    }
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let env = [
        "DSPY_FIXTURE_API_BASE=\(apiBase)", "DSPY_CACHEDIR=\(dir)/dspy-cache", "XDG_CACHE_HOME=\(dir)/cache",
        "XDG_DATA_HOME=\(dir)/data", "XDG_CONFIG_HOME=\(dir)/config", "HOME=\(dir)/home",
        "LITELLM_LOCAL_MODEL_COST_MAP=True", "PYTHONHASHSEED=0", "PATH=/usr/bin:/bin", "LANG=C.UTF-8",
    ]
    let outPath = dir + "/stdout", errPath = dir + "/stderr"
    let pid = try startChild(command + [program], environment: env, stdoutFile: outPath, stderrFile: errPath)
    let (status, timedOut) = try await offThePool { waitForChild(pid, timeoutSeconds: DSPyCorpus.timeoutSeconds) }
    let stdout = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
    return CorpusRun(status: status, timedOut: timedOut, stdout: stdout, stderr: stderr)
}

/// Waits for a child; kills it (SIGKILL) once `timeoutSeconds` have passed.
private func waitForChild(_ pid: pid_t, timeoutSeconds: Int) -> (status: Int32, timedOut: Bool) {
    let deadline = Date().addingTimeInterval(TimeInterval(timeoutSeconds))
    var status: Int32 = 0
    while true {
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid {
            let signal = status & 0x7f
            return (signal == 0 ? (status >> 8) & 0xff : 128 + signal, false)  // a crash is not exit 0
        }
        if result < 0 && errno != EINTR { return (-1, false) }
        if Date() >= deadline {
            kill(pid, SIGKILL)
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            return (-1, true)
        }
        usleep(20_000)
    }
}

// MARK: - Readable differences

/// A normalized request as lines: model, params, then each message with its content split
/// into lines, so a difference inside a long prompt shows as a few lines.
func prettyRequest(_ line: String) -> [String] {
    guard let request = try? JSON.parse(line), let messages = request["messages"].arrayValue else { return [line] }
    var out = ["model: \(request["model"].pythonRepr)", "params: \(JSON.pythonDumps(request["params"]))"]
    for (i, message) in messages.enumerated() {
        out.append("--- message \(i) (\(message["role"].stringValue ?? "?"))")
        if let content = message["content"].stringValue {
            out += content.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        } else {
            out.append(JSON.pythonDumps(message["content"]))
        }
    }
    return out
}

/// The first differing line of two texts, with three lines of context, as `-`/`+` lines.
func firstDifference(expected: [String], actual: [String], label: String) -> String {
    var i = 0
    while i < expected.count, i < actual.count, expected[i] == actual[i] { i += 1 }
    let start = max(0, i - 3)
    var out = ["first difference in \(label) at line \(i + 1):"]
    out += expected[start..<i].map { "  " + $0 }
    out += expected[i..<min(expected.count, i + 4)].map { "- " + $0 }
    out += actual[i..<min(actual.count, i + 4)].map { "+ " + $0 }
    if i >= expected.count { out.append("  (expected ends here)") }
    if i >= actual.count { out.append("  (actual ends here)") }
    return out.joined(separator: "\n")
}

func requestDifference(expected: [String], actual: [String]) -> String {
    guard expected != actual else { return "" }
    let head = "requests differ: expected \(expected.count), sent \(actual.count)"
    let missing = expected.filter { !actual.contains($0) }
    let extra = actual.filter { !expected.contains($0) }
    switch (missing.first, extra.first) {
    case let (want?, _?):
        // Compare the first missing request with the sent one that shares the longest prefix.
        let closest = extra.max { commonPrefix(want, $0) < commonPrefix(want, $1) } ?? extra[0]
        return head + "; the first expected request not sent, against the closest one sent:\n"
            + firstDifference(expected: prettyRequest(want), actual: prettyRequest(closest), label: "the request")
    case let (want?, nil):
        if actual.isEmpty { return head }
        return head + "; expected but not sent:\n" + prettyRequest(want).joined(separator: "\n")
    case let (nil, got?):
        return head + "; sent but not expected:\n" + prettyRequest(got).joined(separator: "\n")
    case (nil, nil):
        return head + " (the same requests, a different number of times)"
    }
}

func stdoutDifference(expected: String, actual: String) -> String {
    guard expected != actual else { return "" }
    func lines(_ s: String) -> [String] { s.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
    return "stdout differs; " + firstDifference(expected: lines(expected), actual: lines(actual), label: "stdout")
}

private func commonPrefix(_ a: String, _ b: String) -> Int {
    zip(a.utf8, b.utf8).prefix { $0 == $1 }.count
}
