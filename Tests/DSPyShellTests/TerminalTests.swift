import Foundation
import TestSupport
import Testing

/// Drives the real `dspy-repl` binary in a pseudo-terminal through tmux (installed by
/// Scripts/setup), on a private tmux socket and private data/config directories.
final class TerminalSession {
    let socket = "dspy-test-\(UUID().uuidString.prefix(8))"
    let home: String
    private(set) var sessions = 0

    init() throws {
        home = NSTemporaryDirectory() + "dspy-term-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: home + "/data", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: home + "/config", withIntermediateDirectories: true)
    }

    deinit { _ = try? TerminalSession.run(["tmux", "-L", socket, "kill-server"]) }

    /// The `dspy-repl` built next to this test bundle.
    static var binary: String { builtProduct("dspy-repl") }

    /// Runs a command; returns its stdout when `capture` is set. Only capture-pane gets a pipe:
    /// `tmux new-session` starts a server that would inherit (and keep open forever) any
    /// output pipe.
    @discardableResult
    static func run(_ args: [String], capture: Bool = false) throws -> String {
        try spawnAndWait(args, stdout: capture ? .capture : .discard).output
    }

    /// Starts the shell in a new tmux window; `env` adds environment variables.
    func start(arguments: [String] = [], env: [String: String] = [:]) throws -> String {
        sessions += 1
        let name = "s\(sessions)"
        var vars = ["XDG_DATA_HOME": home + "/data", "XDG_CONFIG_HOME": home + "/config", "XDG_CACHE_HOME": home + "/cache", "NO_COLOR": "1", "TERM": "xterm-256color", "LANG": "C.UTF-8"]
        for (k, v) in env { vars[k] = v }
        let envText = vars.sorted { $0.key < $1.key }.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
        let command = "env \(envText) '\(TerminalSession.binary)' \(arguments.joined(separator: " ")); echo '<exited>'; sleep 30"
        try TerminalSession.run(["tmux", "-L", socket, "new-session", "-d", "-s", name, "-x", "120", "-y", "40", command])
        return name
    }

    func keys(_ session: String, _ keys: String...) throws {
        try TerminalSession.run(["tmux", "-L", socket, "send-keys", "-t", session] + keys)
    }

    /// Pastes `text` as a terminal does when the application asked for bracketed paste.
    func paste(_ session: String, _ text: String) throws {
        let file = home + "/paste-\(UUID().uuidString)"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        try TerminalSession.run(["tmux", "-L", socket, "load-buffer", "-b", "paste", file])
        try TerminalSession.run(["tmux", "-L", socket, "paste-buffer", "-p", "-b", "paste", "-t", session])
    }

    func screen(_ session: String) -> String {
        (try? TerminalSession.run(["tmux", "-L", socket, "capture-pane", "-p", "-t", session], capture: true)) ?? ""
    }

    /// Waits until the screen satisfies `condition`; returns the last screen.
    @discardableResult
    func waitFor(_ session: String, timeout: Duration = .seconds(10), _ condition: (String) -> Bool) async -> (Bool, String) {
        let deadline = ContinuousClock.now + timeout
        var last = ""
        while ContinuousClock.now < deadline {
            last = screen(session)
            if condition(last) { return (true, last) }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return (false, last)
    }
}

/// The last non-empty line on screen.
func lastLine(_ screen: String) -> String {
    screen.split(separator: "\n").last.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
}

@Suite(.serialized) struct TerminalTests {
    @Test func historySurvivesARestartAndTabCompletes() async throws {
        let t = try TerminalSession()
        let s1 = try t.start()
        let (ready, banner) = await t.waitFor(s1) { $0.contains("dspy>") }
        #expect(ready, "no prompt: \(banner)")
        #expect(banner.contains("on LM(\"dummy\"), offline"))
        try t.keys(s1, "x = 41", "Enter")
        try t.keys(s1, "x + 1", "Enter")
        #expect(await t.waitFor(s1) { $0.contains("\n42") }.0)
        try t.keys(s1, "%pu", "Tab")
        let (completed, screen) = await t.waitFor(s1) { lastLine($0).hasPrefix("dspy> %push") }
        #expect(completed, "Tab did not complete %pu: \(screen)")
        try t.keys(s1, "C-u")
        try t.keys(s1, "C-d")
        #expect(await t.waitFor(s1) { $0.contains("<exited>") }.0)

        let s2 = try t.start()
        #expect(await t.waitFor(s2) { $0.contains("dspy>") }.0)
        try t.keys(s2, "Up")
        let (recalled, after) = await t.waitFor(s2) { lastLine($0) == "dspy> x + 1" }
        #expect(recalled, "Up did not recall the last line: \(after)")
        try t.keys(s2, "C-c")
        // Type on only once the fresh prompt shows, as a person would: keys that race the
        // SIGINT are part of the line that Ctrl-C discards.
        let (cleared, afterInterrupt) = await t.waitFor(s2) { $0.contains("x + 1^C") && lastLine($0) == "dspy>" }
        #expect(cleared, "Ctrl-C did not give a fresh prompt: \(afterInterrupt)")
        try t.keys(s2, "%exit", "Enter")
        let (exited, final) = await t.waitFor(s2) { $0.contains("<exited>") }
        #expect(exited, "%exit did not end the shell: \(final)")
    }

    @Test func typedBlocksAutoIndentAndPastedBlocksStayWhole() async throws {
        let t = try TerminalSession()
        let s = try t.start(arguments: ["--no-history"])
        #expect(await t.waitFor(s) { $0.contains("dspy>") }.0)
        // Typed: the shell indents after ':' and dedents after return; Tab indents.
        try t.keys(s, "def f(x):", "Enter")
        try t.keys(s, "if x:", "Enter")
        try t.keys(s, "return 1", "Enter")
        try t.keys(s, "return 2", "Enter", "Enter")
        try t.keys(s, "f(0), f(1)", "Enter")
        let (ran, typed) = await t.waitFor(s) { $0.contains("(2, 1)") }
        #expect(ran, "the typed function did not run: \(typed)")
        #expect(typed.contains("...>     if x:\n...>         return 1\n...>     return 2"))
        // Pasted into an auto-indented line: the paste's own indentation replaces it, and the
        // blank lines inside the class do not end it.
        try t.keys(s, "class Box:", "Enter")
        try t.paste(s, "    \"\"\"A box.\"\"\"\n\n    size = 3\n\n    def double(self):\n        return self.size * 2\n")
        try t.keys(s, "Enter")
        try t.keys(s, "Box().double()", "Enter")
        let (pasted, screen) = await t.waitFor(s) { $0.contains("\n6\n") }
        #expect(pasted, "the pasted class did not run whole: \(screen)")
        #expect(screen.contains("...>     size = 3"))
        #expect(!screen.contains("error:"))
    }

    @Test func ctrlCCancelsASlowCallAndTheServerSeesItClosed() async throws {
        let server = try await LoopbackServer.start { _ in
            .delay(.seconds(30), then: .json(body: #"{"choices":[{"message":{"content":"[[ ## answer ## ]]\nlate"}}]}"#))
        }
        defer { server.shutdownNow() }
        let t = try TerminalSession()
        let s = try t.start(arguments: ["--lm", "openai/slow", "--no-history"],
                            env: ["OPENAI_BASE_URL": server.baseURL + "/v1", "OPENAI_API_KEY": "test-key"])
        #expect(await t.waitFor(s) { $0.contains("dspy>") }.0)
        try t.keys(s, "qa = Predict(\"question -> answer\")", "Enter")
        try t.keys(s, "qa(question=\"take your time\")", "Enter")
        #expect(await server.waitUntil(timeout: .seconds(10)) { $0.requests.count == 1 })
        let clock = ContinuousClock()
        let pressed = clock.now
        try t.keys(s, "C-c")
        let (back, screen) = await t.waitFor(s) { $0.contains("error: interrupted") && lastLine($0) == "dspy>" }
        let took = clock.now - pressed
        #expect(back, "no prompt after Ctrl-C: \(screen)")
        #expect(took < .seconds(5), "Ctrl-C took \(took)")  // the server would answer after 30 s
        #expect(await server.waitUntil(timeout: .seconds(15)) { $0.closedWhilePending == 1 })
        print("Ctrl-C returned to the prompt after \(took)")
        try t.keys(s, "1 + 1", "Enter")
        #expect(await t.waitFor(s) { $0.contains("\n2") }.0)
    }
}
