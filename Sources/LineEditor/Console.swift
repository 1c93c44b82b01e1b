import CLibEdit
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Synchronization

/// The terminal's output while the interactive shell runs (IPython's `patch_stdout`, at the file
/// descriptor level).
///
/// `start` points file descriptors 1 and 2 (2 only when it is the same terminal) at a
/// pseudo-terminal that this object reads on a thread of its own, so every write — the shell's
/// output, log records, and what the library writes straight to stderr (a batch's progress line)
/// — arrives here, in the order it was written, before it reaches the screen:
/// - while a line is being edited, the line editor takes it and prints it above the prompt, then
///   draws the prompt again with the typed text and the cursor where they were;
/// - otherwise it goes to the terminal at once, without ever sharing a row with a progress line
///   (see `OutputScreen`);
/// - while a statement runs for more than a second without output, a spinner with the elapsed
///   time is drawn on an empty last row (only when stderr is that terminal too), and cleared
///   before any output and when the statement ends.
/// The slave side is a terminal, so `isatty(1)`/`isatty(2)` stay true for the library.
/// `stop()` puts the descriptors back; a crash puts them back too (the fatal-signal handlers
/// below), so the runtime's crash report still reaches the screen.
public final class Console: Sendable {
    private let master: Int32
    /// Where the shell's own frames are written; closed by `stop` (guarded by `frames`).
    private let slave: Int32
    /// The terminal (a duplicate of the original stdout): everything is drawn here.
    private let terminal: Int32
    private let savedStdout: Int32
    /// -1 when stderr was left alone (not the same terminal as stdout).
    private let savedStderr: Int32
    /// Readable when output is waiting for the line editor (`takeOutputForPrompt`).
    private let editorWakeRead: Int32
    private let editorWakeWrite: Int32
    /// Wakes the reader thread (a statement started, `stop`).
    private let readerWakeRead: Int32
    private let readerWakeWrite: Int32
    private let spinnerEnabled: Bool

    private struct FrameState {
        var open = true
        var nextID = 0
    }
    /// Serialises the shell's own writes: ids are given out in the order frames enter the stream.
    private let frames = ThreadLocked(FrameState())
    /// The highest sync/statement-end id the reader has handled (output before it is on screen,
    /// or queued for the editor). `Int.max` once the reader has ended.
    private let processed = Atomic<Int>(0)
    private let stopped = Atomic<Bool>(false)
    private let reader = ThreadLocked<pthread_t?>(nil)

    private struct State {
        var parser = CaptureParser()
        var screen = OutputScreen()
        var editing = false
        /// `screen.row` is drawn on the row right above the prompt.
        var rowShownAbovePrompt = false
        /// Output that arrived while a line was edited, for the editor to draw.
        var queued: [CaptureParser.Event] = []
        var statementStart: ContinuousClock.Instant?
        var lastOutput = ContinuousClock.now
        var lastData = ContinuousClock.now
        var spinnerFrame = 0
    }
    private let state = ThreadLocked(State())

    static let spinnerFrames: [String] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
    /// A statement shows the spinner once it has run this long without output.
    static let spinnerDelay: Duration = .seconds(1)
    static let spinnerInterval: Duration = .milliseconds(100)

    private init(
        master: Int32, slave: Int32, terminal: Int32, savedStdout: Int32, savedStderr: Int32,
        editorWake: (Int32, Int32), readerWake: (Int32, Int32), spinnerEnabled: Bool
    ) {
        self.master = master
        self.slave = slave
        self.terminal = terminal
        self.savedStdout = savedStdout
        self.savedStderr = savedStderr
        (editorWakeRead, editorWakeWrite) = editorWake
        (readerWakeRead, readerWakeWrite) = readerWake
        self.spinnerEnabled = spinnerEnabled
    }

    /// Starts capturing stdout (and stderr when it is the same terminal). Nil when stdout is not
    /// a terminal or a resource is missing (then nothing was changed).
    static func start() -> Console? {
        guard isatty(1) == 1 else { return nil }
        let captureStderr = clibedit_same_terminal(1, 2) == 1
        var master: Int32 = -1
        var slave: Int32 = -1
        guard clibedit_open_raw_pty(&master, &slave, 1) == 0 else { return nil }
        var editorWake: [Int32] = [-1, -1]
        var readerWake: [Int32] = [-1, -1]
        let terminal = clibedit_dup_cloexec(1)
        let savedStdout = clibedit_dup_cloexec(1)
        let savedStderr = captureStderr ? clibedit_dup_cloexec(2) : -1
        guard clibedit_pipe_nonblocking(&editorWake) == 0, clibedit_pipe_nonblocking(&readerWake) == 0,
            terminal >= 0, savedStdout >= 0, !captureStderr || savedStderr >= 0
        else {
            for fd in [master, slave, terminal, savedStdout, savedStderr] + editorWake + readerWake where fd >= 0 { close(fd) }
            return nil
        }
        _ = fflush(nil)  // what C stdio buffered so far still goes to the terminal
        let console = Console(
            master: master, slave: slave, terminal: terminal, savedStdout: savedStdout,
            savedStderr: savedStderr, editorWake: (editorWake[0], editorWake[1]),
            readerWake: (readerWake[0], readerWake[1]), spinnerEnabled: captureStderr)
        CrashRestore.arm(master: master, stdout: savedStdout, stderr: savedStderr, terminal: terminal)
        _ = dup2(slave, 1)
        if captureStderr { _ = dup2(slave, 2) }

        var thread = pthread_t()
        let context = Unmanaged.passRetained(console).toOpaque()
        let rc = pthread_create(
            &thread, nil,
            { context in
                guard let context else { return nil }
                Unmanaged<Console>.fromOpaque(context).takeRetainedValue().runReader()
                return nil
            }, context)
        guard rc == 0 else {
            Unmanaged<Console>.fromOpaque(context).release()
            CrashRestore.disarm()
            console.restoreDescriptors()
            for fd in [master, slave, terminal, savedStdout, savedStderr] + editorWake + readerWake where fd >= 0 { close(fd) }
            return nil
        }
        console.reader.withLock { $0 = thread }
        return console
    }

    // MARK: - Writing (any thread)

    /// The shell's output (stdout or stderr text): drawn in order with everything else.
    public func write(_ text: String) { writeFrame(.text, Array(text.utf8), fallbackFD: 1) }

    /// Like `write`, for stderr text (where stderr is not the captured terminal it goes there).
    public func writeError(_ text: String) {
        if savedStderr < 0 { writeAll(2, Array(text.utf8)); return }
        writeFrame(.text, Array(text.utf8), fallbackFD: 2)
    }

    /// A log record's line: never shares a row with other output (a progress line, a partial line).
    public func writeLog(_ line: String) {
        if savedStderr < 0 { writeAll(2, Array(line.utf8)); return }
        writeFrame(.log, Array(line.utf8), fallbackFD: 2)
    }

    /// Ctrl-C while a statement runs (the terminal echoed `^C`): what follows starts on a row of
    /// its own (the spinner, if shown, is erased with the `^C`).
    public func interruptEchoed() {
        writeFrame(.interrupt, [OutputScreen.lf], fallbackFD: 1)  // once stopped: a plain newline
    }

    /// Waits (up to 2 s) until everything written before this call is on the screen.
    public func synchronize() {
        if let id = writeFrame(.sync, nil, fallbackFD: -1) { waitUntilProcessed(id) }
    }

    // MARK: - Statements (the spinner)

    /// A statement starts: the spinner shows once it has run `spinnerDelay` without output.
    public func beginStatement() {
        state.withLock { s in
            let now = ContinuousClock.now
            s.statementStart = now
            s.lastOutput = now
            s.spinnerFrame = 0
        }
        poke(readerWakeWrite)
    }

    /// The statement ended: returns once its output is on the screen and the spinner is gone.
    public func endStatement() {
        if let id = writeFrame(.statementEnd, nil, fallbackFD: -1) {
            waitUntilProcessed(id)
        } else {
            state.withLock { $0.statementStart = nil }
        }
    }

    /// True while the line editor is reading a line (output then goes above the prompt).
    public var isEditing: Bool { state.withLock { $0.editing } }

    /// Puts file descriptors 1 and 2 back and ends the reader, after drawing what is pending.
    public func stop() {
        guard stopped.compareExchange(expected: false, desired: true, ordering: .sequentiallyConsistent).exchanged else { return }
        synchronize()
        CrashRestore.disarm()
        frames.withLock { f in
            restoreDescriptors()
            close(slave)
            f.open = false
        }
        poke(readerWakeWrite)
        if let thread = reader.withLock({ $0 }) { _ = pthread_join(thread, nil) }
        for fd in [master, editorWakeRead, editorWakeWrite, readerWakeRead, readerWakeWrite, savedStdout, savedStderr, terminal] where fd >= 0 {
            close(fd)
        }
    }

    // MARK: - The line editor's side (its thread, inside readLine)

    /// The descriptor the editor polls: readable when output waits for `takeOutputForPrompt`.
    var outputWakeFD: Int32 { editorWakeRead }

    /// Before the prompt is drawn: pending output is drawn first; the prompt starts a fresh row.
    func beginEditing() {
        synchronize()
        windowResized()  // a resize while a statement ran was not seen by the editor
        state.withLock { s in
            let out = s.screen.prepareForPrompt()
            s.rowShownAbovePrompt = !s.screen.row.isEmpty
            s.editing = true
            writeAll(terminal, out)
        }
    }

    /// The line was entered (or abandoned) and the terminal's cursor is on a fresh row below it.
    func endEditing() {
        state.withLock { s in
            s.editing = false
            s.screen.promptEnded()
            s.rowShownAbovePrompt = false
            var out: [UInt8] = []
            for event in s.queued { out += s.screen.apply(event) }
            s.queued = []
            writeAll(terminal, out)
        }
        drain(editorWakeRead)
    }

    /// The output that arrived while editing, as bytes to write once the caller has erased the
    /// prompt and `rowsAbove` more rows above it (the unfinished output row drawn there), ending
    /// on a fresh row where the prompt is to be drawn again. Nil when nothing is waiting.
    func takeOutputForPrompt(columns: Int) -> (rowsAbove: Int, bytes: [UInt8])? {
        drain(editorWakeRead)
        return state.withLock { s in
            guard !s.queued.isEmpty else { return nil }
            let shown = s.rowShownAbovePrompt && !s.screen.row.isEmpty
            let rowsAbove = shown ? s.screen.rowHeight(columns: columns) : 0
            let bytes = s.screen.renderAbovePrompt(s.queued, rowIsShown: shown)
            s.queued = []
            s.rowShownAbovePrompt = !s.screen.row.isEmpty
            return (rowsAbove, bytes)
        }
    }

    /// The editor drew something between the output and the prompt (a completion listing).
    func promptDisplaced() {
        state.withLock { $0.rowShownAbovePrompt = false }
    }

    /// The terminal was resized: programs that ask stdout for its size get the new one.
    func windowResized() {
        _ = clibedit_copy_winsize(terminal, master)
    }

    // MARK: - Internals

    @discardableResult
    private func writeFrame(_ kind: CaptureFrame.Kind, _ payload: [UInt8]?, fallbackFD: Int32) -> Int? {
        frames.withLock { f -> Int? in
            guard f.open else {
                if fallbackFD >= 0, let payload { writeAll(fallbackFD, payload) }
                return nil
            }
            let bytes: [UInt8]
            var id: Int? = nil
            if let payload {
                guard !payload.isEmpty else { return nil }
                bytes = CaptureFrame.encode(kind, payload)
            } else {
                f.nextID += 1
                id = f.nextID
                bytes = CaptureFrame.encode(kind, Array(String(f.nextID).utf8))
            }
            writeAll(slave, bytes)
            return id
        }
    }

    private func waitUntilProcessed(_ id: Int) {
        let deadline = ContinuousClock.now + .seconds(2)
        while processed.load(ordering: .sequentiallyConsistent) < id && ContinuousClock.now < deadline {
            usleep(200)
        }
    }

    private func restoreDescriptors() {
        _ = dup2(savedStdout, 1)
        if savedStderr >= 0 { _ = dup2(savedStderr, 2) }
    }

    /// The reader thread: pseudo-terminal → parser → screen (or the editor's queue); spinner.
    private func runReader() {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var ended = false
        while !ended {
            let timeout = state.withLock { nextTimeout($0) }
            var fds = [
                pollfd(fd: master, events: Int16(POLLIN), revents: 0),
                pollfd(fd: readerWakeRead, events: Int16(POLLIN), revents: 0),
            ]
            let rc = fds.withUnsafeMutableBufferPointer { poll($0.baseAddress, 2, timeout) }
            if rc < 0 && errno != EINTR { break }
            if rc > 0 && fds[1].revents != 0 { drain(readerWakeRead) }
            if rc > 0 && fds[0].revents != 0 {
                reading: while true {
                    let n = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
                    if n > 0 {
                        handle(Array(buffer[0..<n]))
                        continue
                    }
                    if n < 0 && errno == EINTR { continue }
                    if n < 0 && errno == EAGAIN { break reading }
                    ended = true  // EIO: every slave descriptor is closed (stop)
                    break reading
                }
            }
            tick()
        }
        state.withLock { s in
            let events = s.parser.flushStale()
            var out: [UInt8] = []
            for event in events { out += s.screen.apply(event) }
            out += s.screen.hideSpinner()
            writeAll(terminal, out)
        }
        processed.store(Int.max, ordering: .sequentiallyConsistent)
    }

    private func nextTimeout(_ s: State) -> Int32 {
        var wait: Duration? = nil
        if !s.parser.pending.isEmpty { wait = .milliseconds(50) }
        // The spinner needs an empty last row; output that ends its row wakes the reader anyway.
        if spinnerEnabled, !s.editing, let start = s.statementStart, s.screen.row.isEmpty {
            let now = ContinuousClock.now
            let due = s.screen.spinnerShown ? now + Self.spinnerInterval : max(start, s.lastOutput) + Self.spinnerDelay
            let untilDue = max(due - now, .milliseconds(5))
            wait = min(wait ?? untilDue, untilDue)
        }
        guard let wait else { return -1 }
        let ms = wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(ms, 1))
    }

    private func handle(_ bytes: [UInt8]) {
        var poke = false
        var handledID = 0
        state.withLock { s in
            let now = ContinuousClock.now
            s.lastData = now
            var out: [UInt8] = []
            for event in s.parser.feed(bytes) {
                switch event {
                case .sync(let id):
                    handledID = max(handledID, id)
                case .statementEnd(let id):
                    handledID = max(handledID, id)
                    s.statementStart = nil
                    out += s.screen.hideSpinner()
                case .foreign, .text, .log, .interrupt:
                    s.lastOutput = now
                    if s.editing {
                        s.queued.append(event)
                        poke = true
                    } else {
                        out += s.screen.apply(event)
                    }
                }
            }
            writeAll(terminal, out)
        }
        if poke { self.poke(editorWakeWrite) }
        if handledID > 0 { processed.store(handledID, ordering: .sequentiallyConsistent) }
    }

    /// Timers: a prefix held back by the parser that never became a frame; the spinner.
    private func tick() {
        var poke = false
        state.withLock { s in
            let now = ContinuousClock.now
            var out: [UInt8] = []
            if !s.parser.pending.isEmpty && now - s.lastData >= .milliseconds(50) {
                for event in s.parser.flushStale() {
                    if s.editing {
                        s.queued.append(event)
                        poke = true
                    } else {
                        out += s.screen.apply(event)
                    }
                }
            }
            if spinnerEnabled, !s.editing, let start = s.statementStart, s.screen.row.isEmpty,
                now - start >= Self.spinnerDelay,
                s.screen.spinnerShown || now - s.lastOutput >= Self.spinnerDelay
            {
                let frame = Self.spinnerFrames[s.spinnerFrame % Self.spinnerFrames.count]
                s.spinnerFrame += 1
                out += s.screen.showSpinner(Self.spinnerText(frame: frame, elapsed: now - start))
            }
            writeAll(terminal, out)
        }
        if poke { self.poke(editorWakeWrite) }
    }

    /// `⠋ 1.2s`
    static func spinnerText(frame: String, elapsed: Duration) -> String {
        let tenths = Int(elapsed.components.seconds) * 10 + Int(elapsed.components.attoseconds / 100_000_000_000_000_000)
        return "\(frame) \(tenths / 10).\(tenths % 10)s"
    }

    private func poke(_ fd: Int32) {
        var byte: UInt8 = 1
        _ = systemWrite(fd, &byte, 1)  // non-blocking; a full pipe already wakes the reader
    }

    private func drain(_ fd: Int32) {
        var scratch = [UInt8](repeating: 0, count: 64)
        while scratch.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }) > 0 {}
    }
}

/// write(2) (`Console.write` hides the name inside the class).
func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, bytes, count)
}

/// Writes every byte (retrying short writes and EINTR); gives up on any other error.
func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
    guard !bytes.isEmpty, fd >= 0 else { return }
    bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let n = systemWrite(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset)
            if n > 0 { offset += n; continue }
            if n < 0 && errno == EINTR { continue }
            return
        }
    }
}

/// Puts stdout and stderr back when the process dies while they point at the console's
/// pseudo-terminal (nothing would read it any more: a crash report would be lost, and a large
/// one would block the runtime's backtracer forever). Everything a handler touches is an atomic
/// or a file descriptor number, and it only calls async-signal-safe functions.
enum CrashRestore {
    static let master = Atomic<Int32>(-1)
    static let stdout = Atomic<Int32>(-1)
    static let stderr = Atomic<Int32>(-1)
    static let terminal = Atomic<Int32>(-1)
    /// Address of the saved previous actions, one per signal number (allocated once, never freed).
    static let previousActions = Atomic<UInt>(0)
    static let installed = Atomic<Bool>(false)
    static let fatalSignals: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGABRT]

    static func arm(master m: Int32, stdout o: Int32, stderr e: Int32, terminal t: Int32) {
        stdout.store(o, ordering: .sequentiallyConsistent)
        stderr.store(e, ordering: .sequentiallyConsistent)
        terminal.store(t, ordering: .sequentiallyConsistent)
        master.store(m, ordering: .sequentiallyConsistent)
        installOnce()
    }

    static func disarm() {
        master.store(-1, ordering: .sequentiallyConsistent)
    }

    private static func installOnce() {
        guard installed.compareExchange(expected: false, desired: true, ordering: .sequentiallyConsistent).exchanged else { return }
        let count = Int(fatalSignals.max() ?? 31) + 1
        let saved = UnsafeMutablePointer<sigaction>.allocate(capacity: count)
        saved.initialize(repeating: sigaction(), count: count)  // SIG_DFL until filled in
        previousActions.store(UInt(bitPattern: saved), ordering: .sequentiallyConsistent)
        for signo in fatalSignals {
            var action = sigaction()
            action.__sigaction_handler.sa_sigaction = crashRestoreHandler
            sigemptyset(&action.sa_mask)
            // SA_ONSTACK: a stack overflow still reaches the runtime's handler, on its own stack.
            action.sa_flags = Int32(SA_SIGINFO | SA_ONSTACK)
            _ = sigaction(signo, &action, saved + Int(signo))
        }
        atexit { CrashRestore.restore() }
    }

    /// Async-signal-safe: puts descriptors 1 and 2 back and copies what is still in the
    /// pseudo-terminal to the terminal (frame headers are APC strings, which terminals ignore).
    static func restore() {
        let m = master.exchange(-1, ordering: .sequentiallyConsistent)
        guard m >= 0 else { return }
        let o = stdout.load(ordering: .sequentiallyConsistent)
        let e = stderr.load(ordering: .sequentiallyConsistent)
        let t = terminal.load(ordering: .sequentiallyConsistent)
        if o >= 0 { _ = dup2(o, 1) }
        if e >= 0 { _ = dup2(e, 2) }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4096) { buffer in
            var rounds = 0
            while rounds < 256 {
                rounds += 1
                var fd = pollfd(fd: m, events: Int16(POLLIN), revents: 0)
                guard poll(&fd, 1, 20) > 0 else { return }
                let n = read(m, buffer.baseAddress, buffer.count)
                guard n > 0 else { return }
                var offset = 0
                while offset < n {
                    let w = systemWrite(t >= 0 ? t : 1, buffer.baseAddress.map { $0 + offset }, n - offset)
                    if w <= 0 { return }
                    offset += w
                }
            }
        }
    }
}

private func crashRestoreHandler(_ signo: Int32, _ info: UnsafeMutablePointer<siginfo_t>?, _ context: UnsafeMutableRawPointer?) {
    CrashRestore.restore()
    // Hand the signal to whoever handled it before (the runtime's backtracer, or the default
    // action): a fault happens again when the instruction is retried; a sent signal (abort,
    // kill) is raised again and delivered when this handler returns.
    if let saved = UnsafeMutablePointer<sigaction>(bitPattern: CrashRestore.previousActions.load(ordering: .sequentiallyConsistent)) {
        _ = sigaction(signo, saved + Int(signo), nil)
    } else {
        var defaultAction = sigaction()  // a zero handler is SIG_DFL
        _ = sigaction(signo, &defaultAction, nil)
    }
    if (info?.pointee.si_code ?? 0) <= 0 { raise(signo) }
}
