import ArgumentParser
import DSPy
import DSPyShell
import Foundation
import LineEditor
import Logging
import Synchronization

/// `dspy-repl`: the interactive DSPy shell, and a script runner.
@main
struct DSPyREPL: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dspy-repl",
        abstract: "An interactive shell for DSPy: signatures, modules, scopes, async and parallel calls.",
        discussion: """
            With no FILE and a terminal, starts an interactive session. With FILE (or piped input) \
            replays it, stopping at the first error with exit status 1 unless --keep-going.
            The LM defaults to the offline "dummy"; --lm or DSPY_LM picks another \
            (e.g. openai/gpt-4o-mini with OPENAI_API_KEY set).
            """,
        version: "dspy-repl \(DSPyVersion.string)")

    @Argument(
        help:
            "A script to run: a Python file (.py, run as python3 runs it) or a session script (.dspy, magics allowed). Arguments after it are in sys.argv[1:] and `args`."
    )
    var file: String?

    @Argument(parsing: .captureForPassthrough, help: .hidden)
    var scriptArguments: [String] = []

    @Option(name: .customShort("c"), parsing: .unconditional, help: "Run these statements (separated by newlines or ;) and exit.")
    var command: String?

    @Flag(help: "Print each statement before its output, as a transcript would.")
    var echo = false

    @Flag(help: "Do not stop at the first error; the exit status is 1 if any statement failed.")
    var keepGoing = false

    @Option(help: "The LM to start on, e.g. openai/gpt-4o-mini (default: DSPY_LM, else dummy).")
    var lm: String?

    @Flag(help: "Do not read or write the history file.")
    var noHistory = false

    @Option(help: ArgumentHelp("Write every LM request and reply of this session to FILE (a cassette).", valueName: "FILE"))
    var record: String?

    @Option(
        help: ArgumentHelp(
            "Answer LM calls from the cassette FILE, with no network; a request it lacks goes to the real LM from then on (or fails with --strict).",
            valueName: "FILE"))
    var replay: String?

    @Flag(help: "With --replay: a request the cassette lacks is an error instead of a call to the real LM.")
    var strict = false

    @Flag(help: "Cache LM responses in memory only (default: also in $DSPY_CACHEDIR, $XDG_CACHE_HOME/dspy-swift or ~/.cache/dspy-swift).")
    var noDiskCache = false

    @Flag(help: "Do not log LM calls (default: $XDG_DATA_HOME/dspy-repl/calls.sqlite, see %calls).")
    var noCallLog = false

    func run() async throws {
        let output = SessionOutput()
        LoggingSystem.bootstrap { _ in
            ShellLogHandler { output.writeLog($0) }
        }
        let interactive = command == nil && file == nil && isatty(0) == 1 && isatty(1) == 1
        let color = isatty(1) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil && ProcessInfo.processInfo.environment["TERM"] != "dumb"
        let engine = ShellEngine(output: output, color: color)
        let model = lm ?? ProcessInfo.processInfo.environment["DSPY_LM"].flatMap { $0.isEmpty ? nil : $0 } ?? "dummy"
        do {
            var startup: [String: any Sendable] = ["lm": try LM(model)]
            if strict && replay == nil { throw ValidationError("--strict applies to --replay FILE") }
            if record != nil || replay != nil {
                startup["cassette"] = try Cassette(replaying: replay, missPolicy: strict ? .fail : .fallThrough, recordingTo: record)
            }
            try Settings.current.configure(startup)
        } catch let error as ValidationError {
            throw error
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        // Unlike the library, the shell keeps LM responses and a log of calls on disk by default.
        if !noDiskCache {
            // On failure the cache logs a warning (stderr) and carries on in memory.
            _ = try? configureCache(enableDisk: true)
        }
        if !noCallLog, let path = Self.callLogFile() {
            do { try Settings.current.configure(["call_log": try CallLog(path: path)]) } catch {
                FileHandle.standardError.write(Data("warning: no call log: \(error)\n".utf8))
            }
        }
        engine.setScriptArguments(scriptArguments, script: file ?? (command != nil ? "-c" : nil))
        defer { closeCassette() }

        if let command {
            let ok = await engine.execute(command, keepGoing: keepGoing, echo: echo)
            try finish(engine, ok: ok)
            return
        }
        if let file {
            let source: String
            do { source = try String(contentsOfFile: file, encoding: .utf8) } catch {
                FileHandle.standardError.write(Data("error: cannot read \(file): \(error.localizedDescription)\n".utf8))
                throw ExitCode(2)
            }
            let ok = await engine.execute(source, file: file, keepGoing: keepGoing, echo: echo)
            try finish(engine, ok: ok)
            return
        }
        if !interactive {
            var lines: [String] = []
            while let line = Swift.readLine(strippingNewline: true) { lines.append(line) }
            let ok = await engine.execute(lines.joined(separator: "\n"), file: "<stdin>", keepGoing: keepGoing, echo: echo)
            try finish(engine, ok: ok)
            return
        }
        try await interactiveSession(engine: engine, output: output, model: model, color: color)
    }

    /// The exit status: `sys.exit(n)`'s, else 1 when a statement failed.
    func finish(_ engine: ShellEngine, ok: Bool) throws {
        if engine.exitRequested, engine.exitCode != 0 { throw ExitCode(engine.exitCode) }
        if !ok { throw ExitCode(1) }
    }

    /// Writes a recording cassette into place (a session with no calls still leaves one).
    func closeCassette() {
        guard let cassette = Settings.current.cassette else { return }
        do { try cassette.close() } catch {
            FileHandle.standardError.write(Data("warning: \(error)\n".utf8))
        }
    }

    func interactiveSession(engine: ShellEngine, output: SessionOutput, model: String, color: Bool) async throws {
        LineEditor.installSignalHandlers()
        let editor = LineEditor(programName: "dspy-repl", historyFile: noHistory ? nil : UserDirectories.path(.data, "dspy-repl/history"))
        // From here on every write to stdout/stderr goes through the console: output that comes
        // while a line is typed (a job's print, "[1] done", a log line, a progress line) is
        // printed above the prompt, and a long statement shows a spinner.
        let console = editor.captureOutput()
        output.attach(console)
        let announcer = Task.detached {
            // A job that ends while a line is typed is announced at once, above the prompt.
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                guard let console, console.isEditing else { continue }
                for line in engine.takeAnnouncements() { output.write(line + "\n") }
            }
        }
        defer {
            announcer.cancel()
            output.attach(nil)
            console?.stop()
        }
        editor.completer = { text in
            let c = engine.completions(for: text)
            return Completion(replacing: c.replacing, candidates: c.candidates)
        }
        for notice in editor.takeHistoryNotices() { output.writeError("warning: \(notice)\n") }
        // The startup file runs first, so the banner names the LM it configured.
        if let startup = Self.startupFile(), FileManager.default.fileExists(atPath: startup),
            let source = try? String(contentsOfFile: startup, encoding: .utf8)
        {
            console?.beginStatement()
            _ = await engine.execute(source, file: startup, record: false)
            console?.endStatement()
        }
        let current = engine.settings.bind { Settings.current.lm?.model } ?? model
        let offline = current == "dummy" ? ", offline (--lm MODEL picks a real one)" : ""
        output.write("dspy-repl \(DSPyVersion.string) on LM(\"\(current)\")\(offline); %help, Ctrl-D exits\n")
        if let cassette = Settings.current.cassette { output.write("\(cassette)\n") }
        var buffer = ""
        var indent = ""  // what the next continuation line starts with (auto-indent)
        while !engine.exitRequested {
            for line in engine.takeAnnouncements() { output.write(line + "\n") }
            let plain = buffer.isEmpty ? engine.prompt : engine.continuationPrompt
            let prompt = color ? "\u{1B}[1;32m\(plain)\u{1B}[0m" : plain
            switch editor.readLine(prompt: prompt, prefill: indent) {
            case .endOfInput:
                indent = ""
                if buffer.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return }
                // Ctrl-D inside an unfinished block drops the block; the session goes on.
                buffer = ""
                output.write("\n")
                continue
            case .interrupted:
                buffer = ""
                indent = ""
            case .line(let line):
                buffer += buffer.isEmpty ? line : "\n" + line
                // A paste is kept whole: its blank lines do not end a block.
                if editor.isInsidePaste {
                    indent = ""
                    continue
                }
                if engine.needsMoreInput(buffer) {
                    indent = engine.indentation(after: buffer)
                    continue
                }
                indent = ""
                if buffer.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                    buffer = ""
                    continue
                }
                await runInterruptibly(buffer, engine: engine, editor: editor, output: output, console: console)
                buffer = ""
            }
        }
    }

    /// Runs one entry; Ctrl-C while it runs cancels it (down to its HTTP requests).
    func runInterruptibly(_ source: String, engine: ShellEngine, editor: LineEditor, output: SessionOutput, console: Console?) async {
        editor.addToHistory(Redaction.redact(source).text)
        for notice in editor.takeHistoryNotices() { output.writeError("warning: \(notice)\n") }
        let before = LineEditor.interruptCount
        // The spinner (after a second without output) until the statement's output is all shown.
        console?.beginStatement()
        defer { console?.endStatement() }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { _ = await engine.execute(source) }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(30))
                    if LineEditor.interruptCount != before {
                        // The terminal echoed ^C; what follows starts on a line of its own.
                        if let console { console.interruptEchoed() } else { output.writeError("\n") }
                        engine.cancelRunning()
                        return
                    }
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// `$XDG_DATA_HOME/dspy-repl/calls.sqlite`, default `~/.local/share/dspy-repl/calls.sqlite`
    /// (the history file's directory).
    static func callLogFile() -> String? { UserDirectories.path(.data, "dspy-repl/calls.sqlite") }

    /// `$XDG_CONFIG_HOME/dspy-repl/startup.dspy`, default `~/.config/dspy-repl/startup.dspy`.
    static func startupFile() -> String? { UserDirectories.path(.config, "dspy-repl/startup.dspy") }
}

/// Where the shell writes: stdout/stderr directly, or — in an interactive session — through the
/// line editor's `Console` (which also sees whatever else is written to stdout/stderr).
final class SessionOutput: ShellOutput {
    private let console = Mutex<Console?>(nil)

    func attach(_ console: Console?) { self.console.withLock { $0 = console } }

    func write(_ text: String) {
        if let console = console.withLock({ $0 }) { console.write(text) } else { FileHandle.standardOutput.write(Data(text.utf8)) }
    }

    func writeError(_ text: String) {
        if let console = console.withLock({ $0 }) { console.writeError(text) } else { FileHandle.standardError.write(Data(text.utf8)) }
    }

    /// A log record's line (stderr): on a terminal it never shares a row with other output.
    func writeLog(_ line: String) {
        if let console = console.withLock({ $0 }) { console.writeLog(line) } else { FileHandle.standardError.write(Data(line.utf8)) }
    }
}
