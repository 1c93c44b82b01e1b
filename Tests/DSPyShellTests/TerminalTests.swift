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

    /// Starts the shell in a new tmux window; `env` adds environment variables; `color` leaves
    /// NO_COLOR unset; `stderrTo` sends the shell's stderr to that file instead of the terminal.
    func start(arguments: [String] = [], env: [String: String] = [:], color: Bool = false, stderrTo: String? = nil) throws -> String {
        sessions += 1
        let name = "s\(sessions)"
        var vars = [
            "XDG_DATA_HOME": home + "/data", "XDG_CONFIG_HOME": home + "/config", "XDG_CACHE_HOME": home + "/cache", "NO_COLOR": "1",
            "TERM": "xterm-256color", "LANG": "C.UTF-8",
        ]
        if color { vars["NO_COLOR"] = nil }
        for (k, v) in env { vars[k] = v }
        let envText = vars.sorted { $0.key < $1.key }.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
        let redirect = stderrTo.map { " 2>'\($0)'" } ?? ""
        // tmux passes on its own environment (the test runner's), which may have NO_COLOR set.
        let unset = color ? "-u NO_COLOR " : ""
        let command = "env \(unset)\(envText) '\(TerminalSession.binary)' \(arguments.joined(separator: " "))\(redirect); echo '<exited>'; sleep 30"
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

    /// The screen with its scrollback (the rows that scrolled off the top) above it.
    func screenAndScrollback(_ session: String) -> String {
        (try? TerminalSession.run(["tmux", "-L", socket, "capture-pane", "-p", "-S", "-1000", "-t", session], capture: true)) ?? ""
    }

    /// The screen with SGR sequences for colours and attributes (what each cell looks like).
    func screenWithAttributes(_ session: String) -> String {
        (try? TerminalSession.run(["tmux", "-L", socket, "capture-pane", "-p", "-e", "-t", session], capture: true)) ?? ""
    }

    /// The cursor's column and row on the screen.
    func cursor(_ session: String) -> (x: Int, y: Int)? {
        let text =
            (try? TerminalSession.run(["tmux", "-L", socket, "display-message", "-p", "-t", session, "#{cursor_x},#{cursor_y}"], capture: true)) ?? ""
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",").compactMap { Int($0) }
        return parts.count == 2 ? (parts[0], parts[1]) : nil
    }

    /// From now on every byte the shell writes to the terminal is appended to the returned file.
    func recordOutput(_ session: String) throws -> String {
        let file = home + "/output-\(session)"
        _ = FileManager.default.createFile(atPath: file, contents: nil)
        try TerminalSession.run(["tmux", "-L", socket, "pipe-pane", "-o", "-t", session, "cat >> '\(file)'"])
        return file
    }

    func recorded(_ file: String) -> String {
        (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
    }

    func resize(_ session: String, width: Int) throws {
        try TerminalSession.run(["tmux", "-L", socket, "resize-window", "-t", session, "-x", String(width)])
    }

    /// Types `line` and Enter, then waits for the next (empty) `prompt`, so that nothing is
    /// typed ahead while a statement runs.
    func enter(_ session: String, _ line: String, prompt: String = "dspy>") async throws {
        func prompts(_ text: String) -> Int {
            rows(text).filter { $0.hasPrefix("dspy") || $0.hasPrefix("...>") }.count
        }
        let before = prompts(screenAndScrollback(session))
        try keys(session, line, "Enter")
        let deadline = ContinuousClock.now + .seconds(10)
        var screen = ""
        while ContinuousClock.now < deadline {
            screen = screenAndScrollback(session)
            if prompts(screen) > before && lastLine(screen) == prompt { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("no \(prompt) prompt after \(line.debugDescription): \(screen)")
    }

    /// Waits for the first prompt of a shell just started, and returns the screen. Starting the
    /// binary is the slow step when the machine is loaded (the thread sanitizer's build, beside
    /// other suites, has taken more than 10 s), so this waits up to a minute; it returns as soon
    /// as the prompt shows.
    func waitForFirstPrompt(_ session: String) async -> (Bool, String) {
        await waitFor(session, timeout: .seconds(60)) { $0.contains("dspy>") }
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

/// The screen's non-empty rows, trailing blanks removed.
func rows(_ screen: String) -> [String] {
    screen.split(separator: "\n").map { String($0).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }
        .filter { !$0.isEmpty }
}

let spinnerFrames: Set<Character> = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]

/// A row that is exactly the spinner: `⠋ 1.2s`.
func isSpinnerRow(_ row: String) -> Bool {
    guard let first = row.first, spinnerFrames.contains(first) else { return false }
    return row.dropFirst().range(of: #"^ \d+\.\ds$"#, options: .regularExpression) != nil
}

/// Bold and foreground colour in effect at `target` in a row of `capture-pane -e` output.
func attributes(at target: String, in row: String) -> (bold: Bool, foreground: String?)? {
    var bold = false
    var foreground: String? = nil
    var index = row.startIndex
    while index < row.endIndex {
        if row[index...].hasPrefix(target) { return (bold, foreground) }
        if row[index] == "\u{1B}", row[row.index(after: index)...].hasPrefix("["),
            let end = row[index...].firstIndex(where: { $0 == "m" })
        {
            let parameters = row[row.index(index, offsetBy: 2)..<end].split(separator: ";", omittingEmptySubsequences: false).map { Int($0) ?? 0 }
            var i = 0
            while i < parameters.count {
                switch parameters[i] {
                case 0: bold = false; foreground = nil
                case 1: bold = true
                case 22: bold = false
                case 30...37, 90...97: foreground = String(parameters[i])
                case 38:
                    let length = parameters.count > i + 1 && parameters[i + 1] == 2 ? 5 : 3
                    foreground = parameters[i..<min(parameters.count, i + length)].map(String.init).joined(separator: ";")
                    i += length - 1
                case 39: foreground = nil
                default: break
                }
                i += 1
            }
            index = row.index(after: end)
            continue
        }
        index = row.index(after: index)
    }
    return nil
}

@Suite(.serialized) struct TerminalTests {
    @Test func historySurvivesARestartAndTabCompletes() async throws {
        let t = try TerminalSession()
        let s1 = try t.start()
        let (ready, banner) = await t.waitForFirstPrompt(s1)
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
        #expect(await t.waitFor(s1, timeout: .seconds(30)) { $0.contains("<exited>") }.0)

        let s2 = try t.start()
        #expect(await t.waitForFirstPrompt(s2).0)
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
        #expect(await t.waitForFirstPrompt(s).0)
        // Typed: the shell indents after ':' and dedents after return; Tab indents. Each line
        // is typed once its prompt shows, as a person would: keys typed ahead of a prompt are
        // echoed by the terminal itself before the shell takes them.
        for (line, echoed) in [
            ("def f(x):", "dspy> def f(x):"), ("if x:", "...>     if x:"), ("return 1", "...>         return 1"),
            ("return 2", "...>     return 2"),
        ] {
            try t.keys(s, line, "Enter")
            let (prompted, screen) = await t.waitFor(s) { $0.contains(echoed) && lastLine($0) == "...>" }
            #expect(prompted, "no continuation prompt after \(line): \(screen)")
        }
        try t.keys(s, "Enter")
        #expect(await t.waitFor(s) { lastLine($0) == "dspy>" }.0)
        try t.keys(s, "f(0), f(1)", "Enter")
        let (ran, typed) = await t.waitFor(s) { $0.contains("(2, 1)") }
        #expect(ran, "the typed function did not run: \(typed)")
        #expect(typed.contains("...>     if x:\n...>         return 1\n...>     return 2"))
        // Pasted into an auto-indented line: the paste's own indentation replaces it, and the
        // blank lines inside the class do not end it.
        try t.keys(s, "class Box:", "Enter")
        #expect(await t.waitFor(s) { $0.contains("dspy> class Box:") && lastLine($0) == "...>" }.0)
        try t.paste(s, "    \"\"\"A box.\"\"\"\n\n    size = 3\n\n    def double(self):\n        return self.size * 2\n")
        try t.keys(s, "Enter")
        #expect(await t.waitFor(s) { lastLine($0) == "dspy>" }.0)
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
        let s = try t.start(
            arguments: ["--lm", "openai/slow", "--no-history"],
            env: ["OPENAI_BASE_URL": server.baseURL + "/v1", "OPENAI_API_KEY": "test-key"])
        #expect(await t.waitForFirstPrompt(s).0)
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

    // MARK: Output while typing, prompt colour, spinner, resize

    @Test func thePromptColourEndsBeforeTheTypedText() async throws {
        let t = try TerminalSession()
        let s = try t.start(arguments: ["--no-history"], color: true)
        #expect(await t.waitForFirstPrompt(s).0)
        let output = try t.recordOutput(s)
        try await t.enter(s, "x = 42")
        try await t.enter(s, "x + undefined_name")
        try t.keys(s, "abc")
        #expect(await t.waitFor(s) { lastLine($0) == "dspy> abc" }.0)
        // The bytes: after the prompt's colour comes a reset, before the typed text.
        let bytes = t.recorded(output)
        let colour = try #require(bytes.range(of: "\u{1B}[1;32m", options: .backwards), "no coloured prompt: \(bytes.debugDescription)")
        let typed = try #require(bytes.range(of: "abc", range: colour.upperBound..<bytes.endIndex), "input not echoed: \(bytes.debugDescription)")
        #expect(bytes[colour.upperBound..<typed.lowerBound].contains("\u{1B}[0m"), "no reset before the input: \(bytes.debugDescription)")
        // The screen: the prompt is bold green; the typed text (entered or not) and an error are not.
        let styled = t.screenWithAttributes(s).split(separator: "\n").map(String.init)
        let inputRow = try #require(styled.last { $0.contains("x = 42") })
        let errorRow = try #require(styled.last { $0.contains("error:") }, "no error shown: \(t.screen(s))")
        let lastRow = try #require(styled.last { $0.contains("abc") })
        let prompt = try #require(attributes(at: "dspy>", in: lastRow))
        #expect(prompt.bold && prompt.foreground == "32", "the prompt lost its colour: \(lastRow.debugDescription)")
        for (row, text) in [(inputRow, "x = 42"), (errorRow, "error:"), (lastRow, "abc")] {
            let typedStyle = try #require(attributes(at: text, in: row))
            #expect(!typedStyle.bold && typedStyle.foreground == nil, "\(text) is drawn bold/green: \(row.debugDescription)")
        }
    }

    @Test func outputThatArrivesWhileTypingGoesAboveThePrompt() async throws {
        let t = try TerminalSession()
        let s = try t.start(arguments: ["--no-history"])
        #expect(await t.waitForFirstPrompt(s).0)
        try await t.enter(s, "import asyncio")
        try await t.enter(s, "async def f():", prompt: "...>")
        try await t.enter(s, "await asyncio.sleep(3)", prompt: "...>")
        try await t.enter(s, "print(\"from job\")", prompt: "...>")
        try await t.enter(s, "return 1", prompt: "...>")
        try await t.enter(s, "")
        try await t.enter(s, "f()")
        try t.keys(s, "partial_text")
        #expect(await t.waitFor(s) { lastLine($0) == "dspy> partial_text" }.0)
        let (announced, screen) = await t.waitFor(s, timeout: .seconds(8)) { rows($0).contains("[1] done: 1") }
        #expect(announced, "the job's end was not announced while typing: \(screen)")
        let shown = rows(screen)
        #expect(shown.last == "dspy> partial_text", "the typed text is gone: \(screen)")
        let job = try #require(shown.firstIndex(of: "from job"), "no output from the job: \(screen)")
        let done = try #require(shown.firstIndex(of: "[1] done: 1"))
        #expect(job < done && done == shown.count - 2, "output is not above the prompt: \(screen)")
        #expect(shown.filter { $0.hasPrefix("dspy> partial") }.count == 1, "the typed line was drawn twice: \(screen)")
        // The cursor is still at the end of the typed text, and the buffer is intact.
        #expect(t.cursor(s)?.x == "dspy> partial_text".count)
        try t.keys(s, " = 5", "Enter")
        try await t.enter(s, "partial_text")
        #expect(rows(t.screen(s)).suffix(2).first == "5", "the line typed around the output was not kept: \(t.screen(s))")
    }

    @Test func aBackgroundBatchKeepsItsProgressAndWarningsAboveThePrompt() async throws {
        let server = try await LoopbackServer.start { request in
            let answer = request.bodyString.contains("bad") ? "no fields here" : "[[ ## answer ## ]]\nok"
            return .delay(
                .milliseconds(250),
                then: .json(body: #"{"choices":[{"message":{"content":"\#(answer.replacingOccurrences(of: "\n", with: "\\n"))"}}]}"#))
        }
        defer { server.shutdownNow() }
        let t = try TerminalSession()
        let s = try t.start(
            arguments: ["--lm", "openai/slow", "--no-history", "--no-disk-cache"],
            env: ["OPENAI_BASE_URL": server.baseURL + "/v1", "OPENAI_API_KEY": "test-key"])
        #expect(await t.waitForFirstPrompt(s).0)
        try await t.enter(s, "qa = Predict(\"question -> answer\")")
        try await t.enter(s, "async def run():", prompt: "...>")
        let questions = ["q1", "bad", "q3", "q4", "q5", "q6", "q7", "q8"].map { "{\"question\": \"\($0)\"}" }.joined(separator: ", ")
        try await t.enter(s, "return len(qa.batch([\(questions)], num_threads=1))", prompt: "...>")
        try await t.enter(s, "")
        try await t.enter(s, "run()")
        try t.keys(s, "partial_text")
        // While the batch runs: its warning and its progress line are above the typed line.
        let (both, during) = await t.waitFor(s, timeout: .seconds(15)) { screen in
            let shown = rows(screen)
            return shown.contains { $0.hasPrefix("warning: Error for item 1") } && shown.dropLast().last?.hasPrefix("Processed") == true
        }
        #expect(both, "no warning and progress line above the prompt: \(during)")
        var shown = rows(during)
        #expect(shown.last == "dspy> partial_text", "the typed text is gone: \(during)")
        #expect(!shown.contains { $0.contains("examples") && $0.contains("warning:") }, "a warning shares a row with the progress line: \(during)")
        #expect(shown.filter { $0.hasPrefix("dspy> partial") }.count == 1)
        let (finished, after) = await t.waitFor(s, timeout: .seconds(15)) { rows($0).contains("[1] done: 8") }
        #expect(finished, "the batch did not finish: \(after)")
        shown = rows(after)
        #expect(shown.last == "dspy> partial_text", "the typed text is gone: \(after)")
        #expect(shown.contains { $0.hasPrefix("Processed 7 / 8 examples (1 failed)") }, "no final progress line: \(after)")
        #expect(!shown.contains { $0.contains("examples") && ($0.contains("warning:") || $0.contains("dspy>")) })
        #expect(t.cursor(s)?.x == "dspy> partial_text".count)

        // In the foreground too, a warning never lands on the progress line's row.
        try t.keys(s, "C-u")
        try await t.enter(s, "len(qa.batch([{\"question\": \"r1\"}, {\"question\": \"bad 2\"}, {\"question\": \"r3\"}], num_threads=1))")
        let foreground = rows(t.screen(s))
        #expect(foreground.suffix(2).first == "3")
        #expect(foreground.contains { $0.hasPrefix("warning: Error for item 1 ") && $0.contains("bad 2") }, "\(foreground)")
        #expect(
            !foreground.contains { $0.contains("examples") && $0.contains("warning:") },
            "a warning shares a row with the progress line: \(foreground)")
    }

    @Test func aSlowStatementShowsASpinnerUntilItEnds() async throws {
        let t = try TerminalSession()
        let s = try t.start(arguments: ["--no-history"])
        #expect(await t.waitForFirstPrompt(s).0)
        let output = try t.recordOutput(s)
        try await t.enter(s, "import time")
        try await t.enter(s, "time.sleep(0.3)")  // quick: no spinner
        #expect(
            !t.recorded(output).contains { spinnerFrames.contains($0) }, "a spinner for a quick statement: \(t.recorded(output).debugDescription)")
        try t.keys(s, "time.sleep(2.5); print(\"slept\")", "Enter")
        let (spinning, during) = await t.waitFor(s, timeout: .seconds(3)) { isSpinnerRow(lastLine($0)) }
        #expect(spinning, "no spinner while the statement runs: \(during)")
        let (ended, after) = await t.waitFor(s, timeout: .seconds(5)) { lastLine($0) == "dspy>" }
        #expect(ended, "the statement did not end: \(after)")
        let shown = rows(after)
        #expect(shown.suffix(2).first == "slept", "the output is not where the spinner was: \(after)")
        #expect(!after.contains { spinnerFrames.contains($0) }, "the spinner was left on screen: \(after)")
        // It showed the elapsed time, at least a second, in tenths.
        let bytes = t.recorded(output)
        #expect(bytes.contains("⠋ 1.0s") || bytes.contains("⠋ 1.1s"), "\(bytes.debugDescription)")
        // Ctrl-C: the echoed ^C goes with the spinner; no blank row is left behind.
        try t.keys(s, "time.sleep(10)", "Enter")
        #expect(await t.waitFor(s, timeout: .seconds(3)) { isSpinnerRow(lastLine($0)) }.0)
        try t.keys(s, "C-c")
        let (interrupted, final) = await t.waitFor(s) { $0.contains("error: interrupted") && lastLine($0) == "dspy>" }
        #expect(interrupted, "\(final)")
        let lines = final.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let input = try #require(lines.lastIndex(of: "dspy> time.sleep(10)"))
        #expect(Array(lines[(input + 1)...].prefix(2)) == ["error: interrupted", "dspy>"], "\(final)")
    }

    @Test func noSpinnerWhenStderrOrStdoutIsNotATerminal() async throws {
        // Interactive, with stderr in a file: nothing on the screen, nothing in the file.
        let t = try TerminalSession()
        let errors = t.home + "/stderr"
        let s = try t.start(arguments: ["--no-history"], stderrTo: errors)
        #expect(await t.waitForFirstPrompt(s).0)
        try await t.enter(s, "import time")
        try t.keys(s, "time.sleep(1.6); print(\"slept\")", "Enter")
        let (ended, screen) = await t.waitFor(s, timeout: .seconds(5)) { rows($0).suffix(2).first == "slept" && lastLine($0) == "dspy>" }
        #expect(ended, "\(screen)")
        #expect(!screen.contains { spinnerFrames.contains($0) })
        #expect(!((try? String(contentsOfFile: errors, encoding: .utf8)) ?? "").contains { spinnerFrames.contains($0) })
        // -c and a script from a pipe: stdout and stderr are exactly the program's.
        let command = try await runBinary(["-c", "import time\ntime.sleep(1.3)\nprint('done')"])
        #expect(command.status == 0 && command.out == "done\n" && command.err == "", "\(command)")
        let script = t.home + "/slow.dspy"
        try "import time\ntime.sleep(1.3)\nprint('done')\n".write(toFile: script, atomically: true, encoding: .utf8)
        let piped = try await runBinary([], stdin: script)
        #expect(piped.status == 0 && piped.out == "done\n" && piped.err == "", "\(piped)")
    }

    @Test func aResizeRedrawsTheTypedLineOnce() async throws {
        let t = try TerminalSession()
        let s = try t.start(arguments: ["--no-history"])
        #expect(await t.waitForFirstPrompt(s).0)
        try await t.enter(s, "y = 1")
        let line = "x = \"" + String(repeating: "a", count: 95) + "\""
        try t.keys(s, line)
        #expect(await t.waitFor(s) { lastLine($0) == "dspy> " + line }.0)
        func copies(_ text: String) -> Int { text.components(separatedBy: "dspy> x = ").count - 1 }

        try t.resize(s, width: 50)
        let (narrow, narrowScreen) = await t.waitFor(s) { screen in
            rows(screen).suffix(3) == [
                "dspy> x = \"" + String(repeating: "a", count: 39), String(repeating: "a", count: 50), String(repeating: "a", count: 6) + "\"",
            ]
        }
        #expect(narrow, "not redrawn at 50 columns: \(narrowScreen)")
        try await Task.sleep(for: .milliseconds(300))
        #expect(copies(t.screenAndScrollback(s)) == 1, "an old copy of the line is left: \(t.screenAndScrollback(s))")

        try t.resize(s, width: 120)
        let (wide, wideScreen) = await t.waitFor(s) { lastLine($0) == "dspy> " + line }
        #expect(wide, "not redrawn at 120 columns: \(wideScreen)")
        try await Task.sleep(for: .milliseconds(300))
        let all = t.screenAndScrollback(s)
        #expect(copies(all) == 1, "the line appears more than once: \(all)")
        #expect(all.contains("on LM(\"dummy\")") && all.contains("dspy> y = 1"), "what was above the prompt is gone: \(all)")
        // Still the same line, cursor at its end.
        try t.keys(s, "Enter")
        try await t.enter(s, "len(x)")
        #expect(rows(t.screen(s)).suffix(2).first == "95")
    }
}
