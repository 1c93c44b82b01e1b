// The shell's view of the response cache and the call log: configure_cache(...), %cache and
// %calls, with their help and completion. Each session has its own cache and log files.

import DSPy
import Foundation
import NIOCore
import TestSupport
import Testing
@testable import DSPyShell

@Suite struct CacheShellTests {
    /// A session whose LMs use a cache in `dir` and whose calls go to `dir/calls.sqlite`.
    func loggedSession(_ dir: String) throws -> (ShellEngine, Capture, CallLog) {
        let capture = Capture()
        let settings = Settings()
        let log = try CallLog(path: dir + "/calls.sqlite")
        try settings.configure(["lm": try LM("dummy"), "call_log": log])
        let cache = try ResponseCache(directory: dir + "/cache")
        return (ShellEngine(output: capture, settings: settings, responseCache: cache, options: .sharedProcess), capture, log)
    }

    @Test func cacheAndCallsMagics() async throws {
        let dir = NSTemporaryDirectory() + "dspy-shell-cache-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await LoopbackServer.start { _ in
            .json([
                "choices": [
                    [
                        "index": 0, "message": ["role": "assistant", "content": "[[ ## answer ## ]]\nParis\n\n[[ ## completed ## ]]"],
                        "finish_reason": "stop",
                    ]
                ],
                "usage": ["prompt_tokens": 11, "completion_tokens": 4, "total_tokens": 15],
            ])
        }
        defer { server.shutdownNow() }
        let (e, c, log) = try loggedSession(dir)
        let secret = "sk-shell-SECRET-31337"

        #expect(
            await e.execute(
                "configure(lm=LM(\"openai/m\", api_base=\"\(server.baseURL)/v1\", api_key=\"\(secret)\"))\nqa = Predict(\"question -> answer\")"))
        #expect(await e.execute("qa(question=\"Capital of France?\").answer\nqa(question=\"Capital of France?\").answer"))
        #expect(c.out == "'Paris'\n'Paris'\n")
        #expect(server.requests.count == 1)
        c.clear()

        #expect(await e.execute("%cache"))
        #expect(
            c.out == """
                memory: 1 entry (max 10000), 1 hit
                disk:   1 entry, \(Magics.byteCount(e.responseCache.statistics.diskBytes)) of 30.0 GB, 0 hits
                file:   \(dir)/cache/lm-cache.sqlite
                misses: 1

                """)
        c.clear()

        #expect(await e.execute("%calls"))
        let lines = c.out.split(separator: "\n").map(String.init)
        try #require(lines.count == 2, "\(c.out)")
        #expect(
            lines[0].hasPrefix("#1  ") && lines[0].contains("  openai/m@127.0.0.1:") && lines[0].contains("  15 tokens  ")
                && lines[0].hasSuffix("  ok  Paris"), "\(lines[0])")
        #expect(
            lines[1].hasPrefix("#2  ") && lines[1].contains("  openai/m@127.0.0.1:") && lines[1].contains("  - tokens  ")
                && lines[1].hasSuffix("  cached  Paris"), "\(lines[1])")
        c.clear()

        #expect(await e.execute("%calls 1"))
        #expect(c.out.hasPrefix("#2  "))
        c.clear()

        #expect(await e.execute("%calls show 1"))
        #expect(c.out.hasPrefix("Call #1: openai/m, "))
        #expect(c.out.contains("Tokens: prompt 11, completion 4, total 15\n"))
        #expect(c.out.contains("User message:\n\n[[ ## question ## ]]\nCapital of France?"))
        #expect(c.out.hasSuffix("Response:\n\n[[ ## answer ## ]]\nParis\n\n[[ ## completed ## ]]\n"))
        c.clear()

        #expect(await e.execute("%cache clear"))
        #expect(c.out == "response cache cleared (memory and disk)\n")
        #expect(e.responseCache.statistics.diskEntries == 0)
        #expect(await e.execute("qa(question=\"Capital of France?\").answer"))
        #expect(server.requests.count == 2, "cleared: the call went to the server again")

        #expect(!(await e.execute("%calls show 99")))
        #expect(c.err.contains("error: no call #99"))
        #expect(try log.count() == 3)
        let bytes = ["", "-wal"].compactMap { FileManager.default.contents(atPath: log.path + $0) }.reduce(Data(), +)
        #expect(bytes.range(of: Data(secret.utf8)) == nil, "the API key reached the call log")
    }

    @Test func configureCacheBuiltin() async throws {
        let dir = NSTemporaryDirectory() + "dspy-shell-cfgcache-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let capture = Capture()
        let e = ShellEngine(output: capture, settings: Settings(), responseCache: try ResponseCache(), options: .sharedProcess)
        #expect(await e.execute("%cache"))
        #expect(capture.out.contains("disk:   off (configure_cache(enable_disk_cache=True) turns it on)\n"))

        #expect(await e.execute("configure_cache(disk_cache_dir=\"\(dir)\", disk_size_limit_bytes=1000000, memory_max_entries=5)"))
        let stats = e.responseCache.statistics
        #expect(stats.diskPath == dir + "/lm-cache.sqlite" && stats.diskSizeLimitBytes == 1_000_000 && stats.memoryMaxEntries == 5)

        #expect(!(await e.execute("configure_cache(memory_max_entries=0)")))
        #expect(capture.err.contains("error: ValueError: `memory_max_entries` must be a positive number, but received 0"))
        #expect(!(await e.execute("configure_cache(disk_dir=\"x\")")))
        #expect(capture.err.contains("unexpected keyword argument 'disk_dir'"))

        #expect(await e.execute("configure_cache(enable_disk_cache=False)"))
        #expect(e.responseCache.diskPath == nil)

        // Without a call log, %calls says how to get one.
        #expect(!(await e.execute("%calls")))
        #expect(capture.err.contains("error: the call log is off"))
    }

    @Test func helpAndCompletion() throws {
        let (e, _) = try session()
        #expect(e.completions(for: "%ca").candidates == ["cache", "calls", "cancel"])
        #expect(e.completions(for: "%cache c").candidates == ["clear"])
        #expect(e.completions(for: "%calls s").candidates == ["show"])
        #expect(e.completions(for: "configure_c").candidates == ["configure_cache"])
        #expect(e.completions(for: "configure_cache(disk").candidates == ["disk_cache_dir=", "disk_size_limit_bytes="])
        let help = Magics.help("")
        #expect(help.contains("%cache [clear]"))
        #expect(help.contains("%calls [n] | %calls show ID"))
        #expect(help.contains("configure_cache: configure_cache("))
        #expect(Magics.help("calls").contains("API keys are never written"))
    }
}
