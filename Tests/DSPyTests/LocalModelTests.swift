// Opt-in: a real local model served by Scripts/lm-server (llama.cpp + Gemma 3 270M). Off in the
// default run because the first install compiles llama.cpp; run it with
//   DSPY_TEST_LOCAL_LM=1 swift test --filter LocalModelTests

import Foundation
import TestSupport
import Testing
@testable import DSPy

@Suite(
    .serialized,
    .enabled(
        if: ProcessInfo.processInfo.environment["DSPY_TEST_LOCAL_LM"] == "1",
        "set DSPY_TEST_LOCAL_LM=1 to run against Scripts/lm-server"))
struct LocalModelTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(.timeLimit(.minutes(30)))
    func predictAndLMCallsAgainstGemma() async throws {
        let port = try LoopbackServer.refusedPort()  // nothing listens there: free for lm-server
        let dir = NSTemporaryDirectory() + "dspy-local-lm-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let out = dir + "/out", err = dir + "/err"
        let env = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
        let pid = try startChild(
            [Self.repository.appendingPathComponent("Scripts/lm-server").path, "--port", "\(port)"],
            environment: env, stdoutFile: out, stderrFile: err)
        var stopped = false
        defer { if !stopped { kill(pid, SIGTERM); waitForChild(pid) } }

        // The first run installs (minutes); later runs are ready in seconds.
        let url = "http://127.0.0.1:\(port)/v1"
        var ready = false
        for _ in 0..<(25 * 60 * 5) {
            if let printed = try? String(contentsOfFile: out, encoding: .utf8), printed.contains(url) { ready = true; break }
            try await Task.sleep(for: .milliseconds(200))
        }
        let log = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
        try #require(ready, "lm-server did not print \(url): \(log)")

        let lm = try LM("local/gemma-3-270m", maxTokens: 24, apiBase: url, numRetries: 0, cache: false)
        let texts = try await lm("Complete the sentence: The capital of France is")
        #expect(texts.count == 1)
        #expect(!(texts.first ?? "").isEmpty)
        let usage = try #require(lm.history.last?.usage)
        #expect(usage.promptTokens > 0 && usage.completionTokens > 0)

        // A 270M model rarely follows the ChatAdapter's field markers; the JSON fallback sends
        // the output schema, which llama.cpp enforces, so the call returns a Prediction (its
        // answer may be poor; it parses).
        let qa = try Predict("question -> answer", lm: try LM("local/gemma-3-270m", maxTokens: 64, apiBase: url, numRetries: 0, cache: false))
        let p = try await qa(question: "What is 2 + 2?")
        #expect(p["answer"]?.stringValue != nil)

        // llama.cpp streams server-sent events: the reply arrives in many pieces.
        let stream = try streamify(Predict("question -> answer", lm: lm))
        var pieces: [LMStreamChunk] = []
        do {
            for try await event in stream(question: "Name three colors.") {
                if case .lmChunk(let piece) = event { pieces.append(piece) }
            }
        } catch is AdapterParseError {}
        #expect(pieces.count > 1)

        kill(pid, SIGTERM)
        #expect(waitForChild(pid) == 0)
        stopped = true
        #expect((try? String(contentsOfFile: err, encoding: .utf8))?.contains("lm-server: stopped") == true)
    }
}
