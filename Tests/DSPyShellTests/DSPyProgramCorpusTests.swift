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

    /// Programs that use parts of DSPy the shell does not have yet, with the reason. They run
    /// as known issues: each must still fail, so one that starts to pass is noticed.
    static let pending: [String: Comment] = [:]

    static func read(_ name: String) -> String? {
        try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }
}

/// Runs every corpus program with the real `dspy-repl` against an in-process FixtureResponder
/// server and compares what it sent and printed with Python DSPy's fixtures.
@Suite(.sharesTheCPU) struct DSPyProgramCorpusTests {
    @Test func corpusIsThere() {
        #expect(DSPyCorpus.programs.count >= 40, "expected the DSPy program corpus in \(DSPyCorpus.directory.path)")
    }

    @Test(arguments: DSPyCorpus.programs)
    func programMatchesPythonDSPy(program: String) async throws {
        if let reason = DSPyCorpus.pending[program] {
            await withKnownIssue(reason) { try await check(program) }
        } else {
            try await check(program)
        }
    }

    func check(_ program: String) async throws {
        let base = String(program.dropLast(".py".count))
        let expectedLines = try #require(
            DSPyCorpus.read(base + ".requests.jsonl"),
            "\(base).requests.jsonl is missing: run Scripts/dspy-corpus"
        )
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
/// Python: fresh cache, data, config, home and working directories), killing it after the timeout.
func runCorpusProgram(command: [String], program: String, apiBase: String) async throws -> CorpusRun {
    let dir = NSTemporaryDirectory() + "dspy-corpus-\(UUID().uuidString)"
    for sub in ["cache", "data", "config", "home", "dspy-cache", "cwd"] {
        try FileManager.default.createDirectory(atPath: dir + "/" + sub, withIntermediateDirectories: true)
    }
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let env = [
        "DSPY_FIXTURE_API_BASE=\(apiBase)", "DSPY_CACHEDIR=\(dir)/dspy-cache", "XDG_CACHE_HOME=\(dir)/cache",
        "XDG_DATA_HOME=\(dir)/data", "XDG_CONFIG_HOME=\(dir)/config", "HOME=\(dir)/home",
        "LITELLM_LOCAL_MODEL_COST_MAP=True", "PYTHONHASHSEED=0", "PATH=/usr/bin:/bin", "LANG=C.UTF-8",
    ]
    let outPath = dir + "/stdout", errPath = dir + "/stderr"
    let pid = try startChild(
        command + [program], environment: env, stdoutFile: outPath, stderrFile: errPath,
        workingDirectory: dir + "/cwd")
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

// MARK: - The responder and the normalization themselves

/// FixtureResponder and FixtureNormalization on their own (these pass without dspy-repl).
@Suite struct FixtureResponderTests {
    static func reply(_ body: Value, path: String = FixtureNormalization.chatPath) -> Reply {
        FixtureResponder.reply(method: "POST", path: path, body: Array(JSON.compact(body).utf8))
    }

    /// The reply text of the first choice.
    static func content(_ reply: Reply) -> String? {
        guard case .json(200, let body, _) = reply, let json = try? JSON.parse(body) else { return nil }
        return json["choices"].arrayValue?.first?["message"]["content"].stringValue
    }

    /// A fixture request, by a text its JSON line contains (newlines in it are written `\n`).
    static func fixtureRequest(_ file: String, containing text: String) throws -> Value {
        let lines = try #require(DSPyCorpus.read(file)).split(separator: "\n")
        let line = try #require(lines.first { $0.contains(text) }, "no request with \(text) in \(file)")
        let normalized = try JSON.parse(String(line))
        var body: [String: Value] = ["model": normalized["model"], "messages": normalized["messages"]]
        for (key, value) in normalized["params"].objectValue ?? [:] { body[key] = value }
        return body.dspyValue
    }

    @Test func normalizationSortsKeysAndDropsNoise() {
        let body: Value = [
            "model": "fixture", "temperature": 1.0, "messages": [["role": "user", "content": "hi"]],
            "max_tokens": .null, "api_key": "secret", "stream_options": ["include_usage": true],
        ]
        #expect(
            JSON.compact(FixtureNormalization.normalize(method: "POST", path: "/v1/chat/completions", body: Array(JSON.compact(body).utf8)))
                == #"{"messages":[{"content":"hi","role":"user"}],"model":"fixture","params":{"stream_options":{"include_usage":true},"temperature":1}}"#
        )
        #expect(
            JSON.compact(FixtureNormalization.normalize(method: "GET", path: "/v1/models", body: []))
                == #"{"body":"","method":"GET","path":"/v1/models"}"#)
        #expect(FixtureNormalization.sorted(["b", "a", "B"]) == ["B", "a", "b"])
    }

    @Test func repliesReproduceTheRecordedOutput() throws {
        // 01_predict_basic.out shows the answer Python DSPy parsed from this reply.
        let body = try Self.fixtureRequest("01_predict_basic.requests.jsonl", containing: "capital of France")
        let reply = try #require(Self.content(Self.reply(body)))
        #expect(reply == "[[ ## answer ## ]]\nanswer a061: What is the capital of France?\n\n[[ ## completed ## ]]\n")
        #expect(DSPyCorpus.read("01_predict_basic.out")?.contains("answer a061: What is the capital of France?") == true)
    }

    @Test func typedFieldsJSONReActAndFailures() throws {
        let typed = try Self.fixtureRequest("04_literal_classification.requests.jsonl", containing: "Battery life")
        let text = try #require(Self.content(Self.reply(typed)))
        #expect(text.hasPrefix("[[ ## sentiment ## ]]\nnegative\n\n[[ ## confidence ## ]]\n0.92\n"))

        let json = try Self.fixtureRequest("34_json_adapter.requests.jsonl", containing: "invoice page")
        let object = try JSON.parse(try #require(Self.content(Self.reply(json))))
        #expect(object["category"] == "bug" && object["priority"] == 88 && object["tags"] == ["the", "invoice", "page"])

        let react = try Self.fixtureRequest("17_react_tools.requests.jsonl", containing: #"[[ ## trajectory ## ]]\n\n\nRespond"#)  // the first step
        let step = try #require(Self.content(Self.reply(react)))
        #expect(step.contains("[[ ## next_tool_name ## ]]\nlookup_capital\n"))
        #expect(step.contains(#"{"country": "What is the capital of France, and what is 6 times 7?"}"#))

        let failing: Value = ["model": "fixture", "messages": [["role": "user", "content": "!fail"]]]
        #expect(Self.content(Self.reply(failing)) == "I cannot answer that.")
        let notFound = Self.reply([:], path: "/v1/completions")
        guard case .json(404, _, _) = notFound else { Issue.record("expected a 404, got \(notFound)"); return }
    }

    @Test func streamsWordsThenUsageThenDone() throws {
        var body = try Self.fixtureRequest("39_streaming.requests.jsonl", containing: "stream tokens").objectValue ?? [:]
        #expect(body["stream"] == true)
        body["stream"] = true
        guard case .stream(200, _, let steps, _) = Self.reply(.object(body)) else {
            Issue.record("expected a stream"); return
        }
        let events = steps.compactMap { step -> String? in
            if case .send(let text) = step { return text }; return nil
        }
        #expect(events.last == "data: [DONE]\n\n")
        #expect(events.dropLast().last?.contains(#""usage":{"#) == true)
        let text = events.compactMap { event -> String? in
            guard let json = try? JSON.parse(String(event.dropFirst("data: ".count))) else { return nil }
            return json["choices"].arrayValue?.first?["delta"]["content"].stringValue
        }.joined()
        #expect(text == "[[ ## answer ## ]]\nanswer b7cb: Why do we stream tokens?\n\n[[ ## completed ## ]]\n")
    }
}
