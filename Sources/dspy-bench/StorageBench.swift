import DSPy
import Foundation
import LineEditor

/// `dspy-bench storage [--n N]`: what the call log and the disk cache add to an LM call, with
/// an instant in-process backend so only the library's own work is timed.
enum StorageBench {
    /// Answers at once with a fixed completion and usage.
    struct InstantBackend: LMBackend {
        func complete(_ request: LMRequest, timeout: Duration) async throws -> LMResponse {
            LMResponse(
                choices: [LMChoice(text: "[[ ## answer ## ]]\nok\n\n[[ ## completed ## ]]", finishReason: "stop")],
                usage: TokenUsage(promptTokens: 120, completionTokens: 8), model: "instant")
        }
    }

    static func microsecondsPerCall(_ n: Int, _ body: (Int) async throws -> Void) async rethrows -> Double {
        let clock = ContinuousClock()
        let t0 = clock.now
        for i in 0..<n { try await body(i) }
        return (clock.now - t0).seconds / Double(n) * 1e6
    }

    /// `dspy-bench cache-writer DIR`: stores new responses in the disk cache at DIR as fast as it
    /// can until killed; says "writing" once the first one is on disk. The cache tests kill it
    /// mid-write to check that a crash loses at most the entry being written.
    static func writeUntilKilled(directory: String) async throws -> Never {
        let lm = LM(model: "crash", backend: InstantBackend(), cache: true, responseCache: try ResponseCache(directory: directory))
        var i = 0
        while true {
            _ = try await lm.call(messages: [.user("entry \(i) " + String(repeating: "x", count: i % 2000))], parameters: [:])
            if i == 0 { FileHandle.standardOutput.write(Data("writing\n".utf8)) }  // unbuffered
            i += 1
        }
    }

    /// `dspy-bench calllog-writer FILE ID`: logs calls to the call log FILE as fast as it can
    /// until killed, each call's user message `ID-<n>`; after each call is written it prints
    /// `ok ID-<n>` (unbuffered). The crash tests run two at once and kill them.
    static func logUntilKilled(path: String, writer: String) async throws {
        let settings = Settings()
        try settings.configure(["call_log": try CallLog(path: path)])
        let lm = LM(model: "crash", backend: InstantBackend(), cache: false)
        try await settings.bind {
            var i = 0
            while true {
                _ = try await lm.call(messages: [.user("\(writer)-\(i)")], parameters: [:])
                FileHandle.standardOutput.write(Data("ok \(writer)-\(i)\n".utf8))
                i += 1
            }
        }
    }

    /// `dspy-bench history-writer FILE ID [MAX [LINES]]`: appends `ID-<n>` lines to the history
    /// FILE (keeping MAX entries) until killed, or until LINES are written; prints `ok ID-<n>`
    /// after each append returned (the line is on disk).
    static func historyUntilKilled(path: String, writer: String, maxEntries: Int, lines: Int?) {
        let history = HistoryFile(path: path, maxEntries: maxEntries)
        _ = history.load()
        var i = 0
        while lines.map({ i < $0 }) ?? true {
            let line = "\(writer)-\(i)"
            if history.append(line) { FileHandle.standardOutput.write(Data("ok \(line)\n".utf8)) }
            i += 1
        }
    }

    static func run(n: Int) async throws {
        let dir = NSTemporaryDirectory() + "dspy-bench-storage-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let messages: (Int) -> [Message] = { [.system("You answer questions."), .user("[[ ## question ## ]]\nquestion number \($0)")] }
        print("n=\(n) per measurement; microseconds per LM call (instant backend)")

        let plain = LM(model: "bench", backend: InstantBackend(), cache: false)
        _ = try await microsecondsPerCall(200) { _ = try await plain.call(messages: messages($0), parameters: [:]) }  // warm up
        let base = try await microsecondsPerCall(n) { _ = try await plain.call(messages: messages($0), parameters: [:]) }
        print(String(format: "no cache, no log:            %8.1f", base))

        let settings = Settings()
        try settings.configure(["call_log": try CallLog(path: dir + "/calls.sqlite")])
        let logged = try await settings.bind {
            try await microsecondsPerCall(n) { _ = try await plain.call(messages: messages($0), parameters: [:]) }
        }
        print(String(format: "with the call log:           %8.1f  (+%.1f per logged call)", logged, logged - base))

        let memoryOnly = LM(model: "bench", backend: InstantBackend(), cache: true, responseCache: try ResponseCache())
        for i in 0..<n { _ = try await memoryOnly.call(messages: messages(i), parameters: [:]) }
        let memoryHit = try await microsecondsPerCall(n) { _ = try await memoryOnly.call(messages: messages($0), parameters: [:]) }
        print(String(format: "memory cache hit:            %8.1f", memoryHit))

        let writer = LM(model: "bench", backend: InstantBackend(), cache: true, responseCache: try ResponseCache(directory: dir + "/cache"))
        let missAndStore = try await microsecondsPerCall(n) { _ = try await writer.call(messages: messages($0), parameters: [:]) }
        print(String(format: "miss + store (memory + disk): %7.1f", missAndStore))

        // A fresh cache on the same file: memory is empty, so every call is a disk hit.
        let reader = LM(model: "bench", backend: InstantBackend(), cache: true, responseCache: try ResponseCache(directory: dir + "/cache"))
        let diskHit = try await microsecondsPerCall(n) { _ = try await reader.call(messages: messages($0), parameters: [:]) }
        print(String(format: "disk cache hit (promoted):   %8.1f", diskHit))
    }
}
