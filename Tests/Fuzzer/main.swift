// dspy-fuzz: a grammar- and mutation-based fuzzer for the built `dspy-repl`, run by Scripts/fuzz.
//
//     dspy-fuzz --repl .build/release/dspy-repl --mode shell --count 200000 --jobs 2 --seed 1
//     dspy-fuzz --repl ... --mode server --count 2000 --time 1800
//     dspy-fuzz --repl ... --replay crash-1.dspy        # classify one script
//     dspy-fuzz --generate 20 --seed 3                  # print generated inputs
//
// Shell mode feeds batches of generated statements (ShellFuzzGrammar, shared with the regression
// test) to `dspy-repl --keep-going FILE.dspy`, one process per batch, with HOME and the XDG
// directories in a temporary directory, under a wall-clock timeout and an address-space limit.
// Server mode runs scripts whose LMs talk to a loopback server with hostile replies (Hostile,
// plus modes that echo the API key back) and also checks that the key never shows.
//
// A process killed by a signal or exiting with a status other than 0 or 1 is a crash (a memory
// blow-up when it ran out of memory), one past its deadline a hang. Each failing batch is cut
// down by delta debugging to a minimal script that still fails the same way, which is printed
// and saved. Exit status: 0 with no findings, 1 with some, 2 on a usage error.

import DSPy
import Foundation
import PythonInterpreter
import TestSupport
#if canImport(Glibc)
    import Glibc
#endif

/// One input with the longest it may legitimately take, in seconds.
struct FuzzInput: Sendable {
    var text: String
    var cost: Double
}

enum Mode: String, Sendable {
    case shell, server
}

struct Options: Sendable {
    var repl = ""
    var modes: [Mode] = [.shell]
    var count = 10_000
    /// Server-mode inputs when both modes run (default: a fiftieth of `count`, at least 50).
    var serverCount: Int?
    var seconds = 3_600.0
    var seed: UInt64 = 1
    var jobs = 2
    var batchSize = 100
    var serverBatchSize = 8
    var timeout = 60.0
    var memoryMB = 8_192
    var outDirectory = "fuzz-findings"
    var minimizeSeconds = 300.0
    var maxMinimized = 20
    var progressSeconds = 30.0
    var mutationPercent = 25
    var intensity: ShellFuzzGrammar.Intensity = .full
    var replay: String?
    var generate: Int?
    var quiet = false
}

func usage() -> String {
    """
    usage: dspy-fuzz --repl PATH [--mode shell|server|all] [--count N] [--server-count N] [--time SECONDS]
                     [--seed N] [--jobs N] [--batch N] [--server-batch N] [--timeout SECONDS] [--memory-mb N] [--out DIR]
                     [--minimize-seconds S] [--max-minimized N] [--mutation-percent P] [--intensity full|regression]
                     [--progress SECONDS] [--quiet]
           dspy-fuzz --repl PATH --replay FILE [--mode shell|server]
           dspy-fuzz --generate N [--mode shell|server] [--seed N] [--intensity full|regression]
    """
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("dspy-fuzz: \(message)\n\(usage())\n".utf8))
    exit(2)
}

func parseOptions() -> Options {
    var o = Options()
    var args = CommandLine.arguments.dropFirst()
    func value(_ name: String) -> String {
        guard let v = args.popFirst() else { fail("\(name) needs a value") }
        return v
    }
    func number<T: LosslessStringConvertible>(_ name: String) -> T {
        guard let n = T(value(name)) else { fail("\(name) needs a number") }
        return n
    }
    while let a = args.popFirst() {
        switch a {
        case "--repl": o.repl = value(a)
        case "--mode":
            switch value(a) {
            case "shell": o.modes = [.shell]
            case "server": o.modes = [.server]
            case "all": o.modes = [.shell, .server]
            default: fail("--mode is shell, server or all")
            }
        case "--count": o.count = number(a)
        case "--server-count": o.serverCount = number(a)
        case "--time": o.seconds = number(a)
        case "--seed": o.seed = number(a)
        case "--jobs": o.jobs = max(1, number(a))
        case "--batch": o.batchSize = max(1, number(a))
        case "--server-batch": o.serverBatchSize = max(1, number(a))
        case "--timeout": o.timeout = number(a)
        case "--memory-mb": o.memoryMB = number(a)
        case "--out": o.outDirectory = value(a)
        case "--minimize-seconds": o.minimizeSeconds = number(a)
        case "--max-minimized": o.maxMinimized = number(a)
        case "--progress": o.progressSeconds = number(a)
        case "--mutation-percent": o.mutationPercent = number(a)
        case "--intensity":
            switch value(a) {
            case "full": o.intensity = .full
            case "regression": o.intensity = .regression
            default: fail("--intensity is full or regression")
            }
        case "--replay": o.replay = value(a)
        case "--generate": o.generate = number(a)
        case "--quiet": o.quiet = true
        case "-h", "--help":
            print(usage())
            exit(0)
        default: fail("unknown argument \(a)")
        }
    }
    if o.generate == nil, o.repl.isEmpty { fail("--repl PATH is required") }
    if !o.repl.isEmpty {
        o.repl = URL(fileURLWithPath: o.repl).standardizedFileURL.path
        guard access(o.repl, X_OK) == 0 else { fail("\(o.repl) is not an executable") }
    }
    return o
}

/// Writes a line to stdout at once (reports interleave with progress on stderr).
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

// MARK: - Findings

enum Kind: String, Sendable, CaseIterable {
    case crash
    case hang
    case memory = "memory blow-up"
    case leak = "key leak"
}

/// What a run's result means: nil when it behaved.
func classify(_ r: ChildResult, mode: Mode) -> (kind: Kind, detail: String)? {
    let tail = r.tailText
    let memoryWords = [
        "Could not allocate memory", "Cannot allocate memory", "out of memory", "failed to allocate", "bad_alloc",
        "mmap failed", "Resource temporarily unavailable",
    ]
    let outOfMemory = memoryWords.contains { tail.contains($0) }
    let mb = r.peakResidentBytes >> 20
    switch r.ending {
    case .timedOut:
        return (.hang, String(format: "still running after %.1f s (peak RSS %d MB)", r.seconds, mb))
    case .signaled(let s):
        if s == SIGKILL || outOfMemory { return (.memory, "\(Child.signalName(s)) with peak RSS \(mb) MB") }
        return (.crash, Child.signalName(s))
    case .exited(let code) where code != 0 && code != 1:
        if outOfMemory { return (.memory, "exit status \(code) with peak RSS \(mb) MB") }
        return (.crash, "exit status \(code)")
    case .exited:
        if mode == .server, r.secretSeen { return (.leak, "\(HostileServer.secret) appeared in the output") }
        return nil
    }
}

/// The first line of the output that says what went wrong (Swift's `Fatal error:`, an
/// assertion, ...), numbers removed: findings with the same one are likely the same bug.
func crashLine(_ r: ChildResult) -> String {
    let lines = r.tailText.split(separator: "\n").map(String.init)
    let line =
        lines.first { $0.contains("Fatal error") || $0.contains("fatal error") || $0.contains("Assertion") || $0.contains("precondition") } ?? ""
    return String(line.map { $0.isNumber ? "#" : $0 }.prefix(160))
}

/// The lines of the output worth showing: the runtime's message and the crashed thread's first
/// frames when there is a crash report, else the last lines.
func crashExcerpt(_ r: ChildResult) -> [Substring] {
    let lines = r.outputExcerpt.split(separator: "\n", omittingEmptySubsequences: true)
    let markers = ["Fatal error", "fatal error", "Program crashed", "runtime failure", "Signal "]
    guard let first = lines.firstIndex(where: { line in markers.contains { line.contains($0) } }) else { return Array(lines.suffix(15)) }
    var out = Array(lines[max(0, first - 3)..<min(lines.count, first + 4)])
    if let crashed = lines.firstIndex(where: { $0.hasPrefix("Thread ") && $0.contains("crashed") }) {
        out.append(contentsOf: lines[crashed..<min(lines.count, crashed + 12)])
    }
    return out
}

// MARK: - Running scripts

/// Runs scripts in one mode.
struct Harness: Sendable {
    let options: Options
    let mode: Mode
    let baseURL: String

    var secret: String? { mode == .server ? HostileServer.secret : nil }

    func script(_ inputs: [FuzzInput]) -> String {
        inputs.map(\.text).joined(separator: "\n") + "\n"
    }

    /// Where server-mode scripts have the server's address in saved reproducers: `--replay`
    /// puts the new server's address back.
    static let serverPlaceholder = "http://127.0.0.1:PORT"

    /// `script(inputs)` as saved and printed: the server's address replaced by the placeholder.
    func portableScript(_ inputs: [FuzzInput]) -> String {
        baseURL.isEmpty ? script(inputs) : script(inputs).replacingOccurrences(of: baseURL, with: Self.serverPlaceholder)
    }

    func timeout(_ inputs: [FuzzInput]) -> Double {
        mode == .shell ? options.timeout : 20 + inputs.reduce(0) { $0 + $1.cost }
    }

    func environment(_ directory: String) -> [String] {
        var env = [
            "HOME=\(directory)/home", "XDG_CONFIG_HOME=\(directory)/config", "XDG_DATA_HOME=\(directory)/data",
            "XDG_CACHE_HOME=\(directory)/cache", "DSPY_CACHEDIR=\(directory)/cache/dspy", "TMPDIR=\(directory)/tmp",
            "PATH=/usr/bin:/bin", "LANG=C.UTF-8", "NO_COLOR=1", "TERM=dumb",
        ]
        if let tz = ProcessInfo.processInfo.environment["TZ"] { env.append("TZ=\(tz)") }
        return env
    }

    /// Runs `inputs` as one script in `directory` (which it prepares).
    func run(_ inputs: [FuzzInput], in directory: String, timeout: Double? = nil) -> ChildResult {
        for sub in ["home", "config", "data", "cache", "tmp", "work"] {
            try? FileManager.default.createDirectory(atPath: "\(directory)/\(sub)", withIntermediateDirectories: true)
        }
        let file = "\(directory)/work/input.dspy"
        _ = FileManager.default.createFile(atPath: file, contents: Data(script(inputs).utf8))
        let args = [options.repl, "--keep-going", "--no-disk-cache", "--no-call-log", "--no-history", file]
        let limits = ChildLimits(timeout: timeout ?? self.timeout(inputs), memoryBytes: options.memoryMB << 20)
        return Child.run(args, environment: environment(directory), directory: "\(directory)/work", limits: limits, secret: secret)
    }

    /// Whether `input` ends where it ends in a script: the statement after it stays its own.
    static func isSelfContained(_ input: String) -> Bool {
        let sentinel = "fuzz_sentinel = 1"
        return StatementSplitter.split(input + "\n" + sentinel + "\n").last?.text.trimmingCharacters(in: .whitespacesAndNewlines) == sentinel
    }

    /// The batch of inputs number `index` (the prelude first in shell mode).
    func batch(_ index: Int) -> (inputs: [FuzzInput], counted: Int) {
        switch mode {
        case .shell:
            let generated = ShellFuzzInputs.batch(
                seed: options.seed, index: index, count: options.batchSize, intensity: options.intensity,
                mutationPercent: options.mutationPercent)
            // An input that leaves a string or bracket open would swallow the ones after it in the
            // script: those run apart, at the end (only one of them can, so the rest are dropped and
            // not counted).
            var contained = generated.filter(Self.isSelfContained)
            if let open = generated.first(where: { !Self.isSelfContained($0) }) { contained.append(open) }
            return (ShellFuzzGrammar.prelude.map { FuzzInput(text: $0, cost: 0) } + contained.map { FuzzInput(text: $0, cost: 0) }, contained.count)
        case .server:
            let inputs = ServerScripts.batch(seed: options.seed, index: index, count: options.serverBatchSize, baseURL: baseURL)
            return (inputs, options.serverBatchSize)
        }
    }
}

// MARK: - The campaign

/// Counts, findings and the work queue of one mode's run, shared by its workers.
final class Campaign: Sendable {
    struct State {
        var nextBatch = 0
        var scheduledInputs = 0
        var inputs = 0
        /// Non-blank lines of the inputs run: statements and clause headers.
        var lines = 0
        var processes = 0
        var counts: [Kind: Int] = [:]
        var minimized = 0
        var signatures: [String: Int] = [:]
        var slowest = 0.0
        var peakResident = 0
        var findingNumber = 0
        var reports: [String] = []
        var stopped = false
    }

    let harness: Harness
    let options: Options
    /// How many inputs this campaign runs.
    let count: Int
    let started = monotonicSeconds()
    let state = Locked(State())

    init(harness: Harness) {
        self.harness = harness
        options = harness.options
        if harness.mode == .server, options.modes != [.server] {
            count = options.serverCount ?? max(50, options.count / 50)
        } else {
            count = options.count
        }
    }

    var elapsed: Double { monotonicSeconds() - started }

    /// The next batch to run, or nil when the count or the time is used up.
    func nextBatch() -> Int? {
        let perBatch = harness.mode == .shell ? options.batchSize : options.serverBatchSize
        let outOfTime = elapsed >= options.seconds
        return state.withLock { s in
            guard !s.stopped, !outOfTime, s.scheduledInputs < count else { return nil }
            s.scheduledInputs += perBatch
            defer { s.nextBatch += 1 }
            return s.nextBatch
        }
    }

    func record(inputs: Int, lines: Int, _ r: ChildResult) {
        state.withLock { s in
            s.inputs += inputs
            s.lines += lines
            s.processes += 1
            s.slowest = max(s.slowest, r.seconds)
            s.peakResident = max(s.peakResident, r.peakResidentBytes)
        }
    }

    func stop() { state.withLock { $0.stopped = true } }

    func progressLine() -> String {
        let s = state.withLock { $0 }
        let rate = Double(s.inputs) / max(elapsed, 0.001)
        return String(
            format: "[%@ %.0fs] %d inputs (%.1f/s) in %d processes; crashes %d, hangs %d, memory blow-ups %d%@", harness.mode.rawValue, elapsed,
            s.inputs, rate, s.processes, s.counts[.crash] ?? 0, s.counts[.hang] ?? 0, s.counts[.memory] ?? 0,
            harness.mode == .server ? ", key leaks \(s.counts[.leak] ?? 0)" : "")
    }

    func summary() -> String {
        let s = state.withLock { $0 }
        let rate = Double(s.inputs) / max(elapsed, 0.001)
        var text = String(
            format: "dspy-fuzz %@: %d inputs (%d lines of statements) in %d processes, %.1f s (%.1f inputs/s), seed %llu\n",
            harness.mode.rawValue, s.inputs, s.lines, s.processes, elapsed, rate, options.seed)
        text += "  crashes: \(s.counts[.crash] ?? 0)\n  hangs: \(s.counts[.hang] ?? 0)\n  memory blow-ups: \(s.counts[.memory] ?? 0)\n"
        if harness.mode == .server { text += "  key leaks (\(HostileServer.secret) in stdout/stderr): \(s.counts[.leak] ?? 0)\n" }
        text += String(format: "  slowest process %.1f s, largest peak RSS %d MB\n", s.slowest, s.peakResident >> 20)
        return text
    }

    var findings: Int { state.withLock { s in s.counts.values.reduce(0, +) } }

    /// Counts a finding; true when it should be minimized (a new signature, within the cap).
    func found(_ kind: Kind, signature: String) -> Bool {
        state.withLock { s in
            s.counts[kind, default: 0] += 1
            let seen = s.signatures[signature, default: 0]
            s.signatures[signature] = seen + 1
            guard s.minimized < options.maxMinimized, seen < 3 else { return false }
            s.minimized += 1
            return true
        }
    }

    func nextFindingNumber() -> Int {
        state.withLock { s in
            s.findingNumber += 1; return s.findingNumber
        }
    }

    func report(_ text: String) {
        state.withLock { $0.reports.append(text) }
        say(text)
    }

    /// One worker: runs batches until there are none left.
    func work(worker: Int, root: String) {
        let directory = "\(root)/w\(worker)"
        while let index = nextBatch() {
            let (inputs, counted) = harness.batch(index)
            let r = harness.run(inputs, in: directory)
            let lines = inputs.suffix(counted).reduce(0) { total, input in
                total + input.text.split(separator: "\n").filter { !$0.allSatisfy(\.isWhitespace) }.count
            }
            record(inputs: counted, lines: lines, r)
            guard let (kind, detail) = classify(r, mode: harness.mode) else { continue }
            let signature = kind == .crash ? "crash \(detail) \(crashLine(r))" : "\(kind.rawValue) \(crashLine(r))"
            let number = nextFindingNumber()
            let batchFile = "\(options.outDirectory)/\(harness.mode.rawValue)-\(number)-batch\(index).dspy"
            try? FileManager.default.createDirectory(atPath: options.outDirectory, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: batchFile, contents: Data(harness.portableScript(inputs).utf8))
            guard found(kind, signature: signature) else {
                report(
                    "\(kind.rawValue.uppercased()) #\(number) (\(detail)) in batch \(index), seed \(options.seed): the same kind as an earlier finding; the batch is in \(batchFile)"
                )
                continue
            }
            minimizeAndReport(inputs, kind: kind, detail: detail, first: r, batch: index, number: number, batchFile: batchFile, directory: directory)
        }
    }

    func minimizeAndReport(
        _ inputs: [FuzzInput], kind: Kind, detail: String, first: ChildResult, batch: Int, number: Int, batchFile: String,
        directory: String
    ) {
        let budget = TrialBudget(maxTrials: kind == .hang ? 60 : 1_500, seconds: options.minimizeSeconds)
        let trialDirectory = directory + "-min"
        var last = first
        func fails(_ candidate: [FuzzInput]) -> Bool {
            let r = harness.run(candidate, in: trialDirectory)
            guard let c = classify(r, mode: harness.mode), c.kind == kind else { return false }
            if kind == .crash, c.detail != detail { return false }
            last = r
            return true
        }
        var minimal = Minimize.ddmin(inputs, budget: budget, fails: fails)
        for i in minimal.indices where !budget.spent {
            let original = minimal[i]
            let shrunk = Minimize.shrink(original.text, budget: budget) { text in
                var candidate = minimal
                candidate[i] = FuzzInput(text: text, cost: original.cost)
                return fails(candidate)
            }
            minimal[i] = FuzzInput(text: shrunk, cost: original.cost)
        }
        // Confirm: the minimal script fails on its own (minimization ran with a shrinking budget).
        let confirmed = fails(minimal)
        let script = harness.portableScript(minimal)
        let file =
            "\(options.outDirectory)/\(harness.mode.rawValue)-\(number)-\(kind == .memory ? "memory" : kind.rawValue.replacingOccurrences(of: " ", with: "-")).dspy"
        _ = FileManager.default.createFile(atPath: file, contents: Data(script.utf8))
        var text = "\(kind.rawValue.uppercased()) #\(number) (\(detail)) in batch \(batch), seed \(options.seed)"
        text += confirmed ? "" : " [the minimal script did not fail again: flaky]"
        text += String(
            format: "\n  minimal reproducer (%d statements, %d trials, saved to %@; the whole batch is %@):\n", minimal.count, budget.trials, file,
            batchFile)
        text += script.split(separator: "\n", omittingEmptySubsequences: false).map { "    | " + $0.prefix(300) }.joined(separator: "\n")
        if kind == .hang, harness.mode == .shell, let note = CPython.verdict(script, timeout: options.timeout) { text += "\n  \(note)" }
        text += "\n  output:\n" + crashExcerpt(last).map { "    > " + $0.prefix(300) }.joined(separator: "\n")
        report(text)
    }
}

/// CPython as an oracle for hangs: a minimal pure-Python reproducer that CPython does not finish
/// either is slow by nature, not a shell bug.
enum CPython {
    static func verdict(_ script: String, timeout: Double) -> String? {
        let shellOnly = ["dspy", "qa", "cot", "lm", "%", "?", "await ", "calculate", "gather", "context("]
        guard !shellOnly.contains(where: { script.contains($0) }),
            access("/usr/bin/python3", X_OK) == 0 || access("/usr/local/bin/python3", X_OK) == 0
        else { return nil }
        let directory = NSTemporaryDirectory() + "dspy-fuzz-cpython-\(getpid())"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/repro.py"
        _ = FileManager.default.createFile(atPath: file, contents: Data(script.utf8))
        let python = access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "/usr/local/bin/python3"
        let r = Child.run(
            [python, "-I", file], environment: ["PATH=/usr/bin:/bin", "LANG=C.UTF-8"], directory: directory,
            limits: ChildLimits(timeout: timeout, memoryBytes: 8 << 30), secret: nil)
        if r.ending == .timedOut { return "CPython does not finish it within \(Int(timeout)) s either: slow by nature" }
        return String(format: "CPython finishes it in %.2f s", r.seconds)
    }
}

// MARK: - Main

let options = parseOptions()

if let n = options.generate, options.modes == [.server] {
    let inputs = ServerScripts.batch(seed: options.seed, index: 0, count: n, baseURL: "http://127.0.0.1:PORT")
    say(inputs.map(\.text).joined(separator: "\n"))
    exit(0)
}
if let n = options.generate {
    let inputs = ShellFuzzInputs.batch(seed: options.seed, index: 0, count: n, intensity: options.intensity, mutationPercent: options.mutationPercent)
    say(inputs.enumerated().map { "# \($0.offset)\n\($0.element)" }.joined(separator: "\n"))
    exit(0)
}

signal(SIGPIPE, SIG_IGN)
let root = NSTemporaryDirectory() + "dspy-fuzz-\(getpid())"
try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)

var server: LoopbackServer?
if options.modes.contains(.server) || options.replay != nil {
    do { server = try await LoopbackServer.start(HostileServer.handler) } catch { fail("cannot start the loopback server: \(error)") }
}
let baseURL = server?.baseURL ?? ""

if let replay = options.replay {
    guard let text = try? String(contentsOfFile: replay, encoding: .utf8) else { fail("cannot read \(replay)") }
    let mode = options.modes.first ?? .shell
    let harness = Harness(options: options, mode: mode, baseURL: baseURL)
    let source = text.replacingOccurrences(of: Harness.serverPlaceholder, with: baseURL)
    let r = harness.run([FuzzInput(text: source, cost: mode == .server ? 120 : 0)], in: root + "/replay")
    say(r.outputExcerpt)
    let verdict = classify(r, mode: mode)
    say(
        String(
            format: "dspy-fuzz: %@ in %.2f s, peak RSS %d MB", verdict.map { "\($0.kind.rawValue): \($0.detail)" } ?? "no finding", r.seconds,
            r.peakResidentBytes >> 20))
    try? FileManager.default.removeItem(atPath: root)
    exit(verdict == nil ? 0 : 1)
}

var total = 0
for mode in options.modes {
    let campaign = Campaign(harness: Harness(options: options, mode: mode, baseURL: baseURL))
    if !options.quiet {
        FileHandle.standardError.write(
            Data(
                "dspy-fuzz: \(mode.rawValue) mode, up to \(campaign.count) inputs or \(Int(options.seconds)) s, seed \(options.seed), \(options.jobs) jobs, \(options.memoryMB) MB address space per process\n"
                    .utf8))
    }
    let done = Locked(false)
    let progress = Thread {
        var last = monotonicSeconds()
        while !done.withLock({ $0 }) {
            usleep(200_000)
            if !options.quiet, monotonicSeconds() - last >= options.progressSeconds {
                last = monotonicSeconds()
                FileHandle.standardError.write(Data((campaign.progressLine() + "\n").utf8))
            }
        }
    }
    progress.start()
    await withCheckedContinuation { (finished: CheckedContinuation<Void, Never>) in
        let group = DispatchGroup()
        for worker in 0..<options.jobs {
            group.enter()
            let thread = Thread {
                campaign.work(worker: worker, root: root + "/\(mode.rawValue)")
                group.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        group.notify(queue: .global()) { finished.resume() }
    }
    done.withLock { $0 = true }
    say(campaign.summary())
    total += campaign.findings
}
try? await server?.shutdown()
try? FileManager.default.removeItem(atPath: root)
exit(total == 0 ? 0 : 1)
