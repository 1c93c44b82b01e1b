import CLibEdit
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Synchronization

/// Line editing for the interactive shell: libedit (emacs bindings, history, Ctrl-R, Tab
/// completion) when stdin and stdout are terminals, plain `Swift.readLine` otherwise.
///
/// Thread safety (`@unchecked Sendable`): every piece of mutable state is either
/// - inside a `Mutex` (`completerBox`), or
/// - guarded by `session`: `readLine` and `addToHistory` run their whole body inside
///   `session.withLock`, and the libedit callbacks (prompt, Tab, character input) are only ever
///   invoked by `el_wgets`, which is only called inside `readLine`'s critical section, on the
///   thread that holds the lock. They find `self` through EL_CLIENTDATA (an unretained pointer
///   that cannot dangle: the EditLine is destroyed in `deinit`).
/// `el`, `hist` and `terminalOut` are immutable after `init`; `console` is guarded by `session`
/// too (set by `captureOutput`). So concurrent calls are serialized (a second
/// caller waits until the line being edited is finished). Callbacks must not call back into the
/// editor (the completer must not call `addToHistory`/`readLine`: the lock is not recursive).
public final class LineEditor: @unchecked Sendable {
    private let el: OpaquePointer?
    private let hist: OpaquePointer?
    /// libedit's output: a duplicate of the terminal on stdout, so that it still reaches the
    /// terminal once `captureOutput` points descriptor 1 at the console.
    private let terminalOut: UnsafeMutablePointer<FILE>?
    private let maxHistory: Int
    private let plainReader: @Sendable () -> String?
    /// Plain mode on a terminal: wait in poll(2) so Ctrl-C can abandon the read.
    private let plainWaitsOnTerminal: Bool
    private let session = Mutex<Void>(())
    private let completerBox = Mutex<(@Sendable (String) -> Completion)?>(nil)

    // Guarded by `session` (see above).
    private var historyEvent = HistEvent()
    private let historyStore: HistoryFile?
    private var promptCString: UnsafeMutablePointer<CChar>?
    private var bracketedPrompt = ""
    private var interruptBaseline = 0
    private var resizeSeen = 0
    private var continueSeen = 0
    private var interruptedRead = false
    /// Bytes read ahead of libedit (after an ESC that did not start a paste), delivered first.
    private var readAhead: [CChar] = []
    /// The rest of a bracketed paste, delivered to libedit character by character.
    private var pasteQueue: [wchar_t] = []
    /// The text put in the line before reading (auto-indentation); a paste replaces it.
    private var prefilled: [wchar_t] = []
    /// Output captured while the shell is interactive (see `captureOutput`).
    private var console: Console?

    /// libedit when stdin and stdout are both terminals (and TERM != "dumb"); plain line reading otherwise.
    public convenience init(programName: String = "dspy-repl", historyFile: String? = nil, maxHistory: Int = 10_000) {
        let term = getenv("TERM").map { String(cString: $0) }
        let interactive = LineEditor.wantsLineEditing(
            stdinIsTTY: isatty(0) == 1, stdoutIsTTY: isatty(1) == 1, term: term)
        self.init(
            programName: programName, historyFile: historyFile, maxHistory: maxHistory,
            interactive: interactive, plainWaitsOnTerminal: isatty(0) == 1,
            plainReader: { Swift.readLine(strippingNewline: true) })
    }

    /// Designated initializer; tests use it to force plain mode with an injected reader.
    init(
        programName: String, historyFile: String?, maxHistory: Int, interactive: Bool,
        plainWaitsOnTerminal: Bool, plainReader: @escaping @Sendable () -> String?
    ) {
        self.maxHistory = max(0, maxHistory)
        self.plainReader = plainReader
        self.plainWaitsOnTerminal = plainWaitsOnTerminal
        var editLine: OpaquePointer? = nil
        var output: UnsafeMutablePointer<FILE>? = nil
        if interactive {
            LineEditor.setUpLocale()
            let fd = clibedit_dup_cloexec(1)
            output = fd >= 0 ? fdopen(fd, "w") : nil
            if output == nil && fd >= 0 { close(fd) }
            editLine = el_init(programName, clibedit_stdin(), output ?? clibedit_stdout(), clibedit_stderr())
        }
        el = editLine
        terminalOut = output
        hist = editLine == nil ? nil : history_init()
        promptCString = strdup("")
        if editLine != nil, let historyFile, self.maxHistory > 0 {
            historyStore = HistoryFile(path: historyFile, maxEntries: self.maxHistory)
        } else {
            historyStore = nil
        }
        guard let el = editLine else { return }
        configure(el)
    }

    deinit {
        console?.stop()
        if let el { el_end(el) }
        if let hist { history_end(hist) }
        if let terminalOut { fclose(terminalOut) }
        free(promptCString)
    }

    public var isInteractive: Bool { el != nil }

    /// Interactive mode only: from now on everything written to stdout and stderr (by any
    /// thread, through any API) goes through the returned `Console`, which prints output that
    /// arrives while a line is edited above the prompt and redraws the prompt with the typed
    /// text, and shows a spinner while a statement runs (`Console.beginStatement`). Call
    /// `Console.stop()` before exiting. Nil in plain mode or when it cannot be set up; calling
    /// it again returns the same console.
    public func captureOutput() -> Console? {
        session.withLock { _ in
            guard el != nil else { return nil }
            if console == nil { console = Console.start() }
            return console
        }
    }

    /// Called on Tab with the text before the cursor.
    public var completer: (@Sendable (String) -> Completion)? {
        get { completerBox.withLock { $0 } }
        set { completerBox.withLock { $0 = newValue } }
    }

    // MARK: - Setup

    static func wantsLineEditing(stdinIsTTY: Bool, stdoutIsTTY: Bool, term: String?) -> Bool {
        guard stdinIsTTY, stdoutIsTTY, let term, !term.isEmpty, term != "dumb" else { return false }
        return true
    }

    /// libedit decodes input with mbrtowc(3), which drops non-ASCII bytes in the "C" locale.
    private static func setUpLocale() {
        setlocale(LC_CTYPE, "")
        if let codeset = nl_langinfo(nl_item(CODESET)), String(cString: codeset) != "UTF-8" {
            if setlocale(LC_CTYPE, "C.UTF-8") == nil { _ = setlocale(LC_CTYPE, "") }
        }
    }

    private func configure(_ el: OpaquePointer) {
        _ = clibedit_set_clientdata(el, Unmanaged.passUnretained(self).toOpaque())
        _ = clibedit_set_editor(el, "emacs")
        // libedit's own handlers would re-raise signals to the whole process group; ours (see
        // installSignalHandlers) only count them and wake the reader through a pipe.
        _ = clibedit_set_signal(el, 0)
        _ = clibedit_set_getcfn(el) { el, out in
            guard let el, let out, let editor = LineEditor.from(el) else { return -1 }
            return editor.readCharacter(el, into: out)
        }
        _ = clibedit_set_prompt_esc(
            el,
            { el in
                LineEditor.from(el)?.promptCString
            }, CChar(bitPattern: UInt8(TextLayout.promptEscapeDelimiter.asciiValue ?? 1)))
        if let hist {
            _ = clibedit_history_setsize(hist, &historyEvent, Int32(clamping: max(maxHistory, 1)))
            _ = clibedit_history_setunique(hist, &historyEvent, 1)
            _ = clibedit_set_hist(el, hist)
        }
        _ = clibedit_addfn(el, "dspy-complete", "Complete the word before the cursor") { el, _ in
            guard let el, let editor = LineEditor.from(el) else { return UInt8(CC_ERROR) }
            return editor.complete(el)
        }
        _ = clibedit_bind(el, "^I", "dspy-complete")
        _ = clibedit_bind(el, "^R", "em-inc-search-prev")
        _ = el_source(el, nil)  // ~/.editrc (or $EDITRC) may override the bindings above

        if let store = historyStore, let hist {
            for entry in store.load() {
                _ = clibedit_history_enter(hist, &historyEvent, entry)
            }
        }
    }

    private static func from(_ el: OpaquePointer?) -> LineEditor? {
        guard let el, let raw = clibedit_get_clientdata(el) else { return nil }
        return Unmanaged<LineEditor>.fromOpaque(raw).takeUnretainedValue()
    }

    // MARK: - Reading

    /// Shows `prompt` and reads one line (see the type's documentation). `prefill` is put in
    /// the line first, as if typed (the shell's auto-indentation); a paste replaces it.
    public func readLine(prompt: String, prefill: String = "") -> LineInput {
        session.withLock { _ in
            if let el { return readInteractive(el, prompt: prompt, prefill: prefill) }
            return readPlain()
        }
    }

    /// True while a bracketed paste is still being delivered: the line just read ended at a
    /// pasted newline and more pasted text follows. The shell keeps such lines together (a
    /// blank line inside a pasted `class` does not end it) and does not auto-indent them.
    public var isInsidePaste: Bool {
        session.withLock { _ in !pasteQueue.isEmpty }
    }

    private func readPlain() -> LineInput {
        if plainWaitsOnTerminal && signalHandlersInstalled.load(ordering: .sequentiallyConsistent) {
            let baseline = sigintCounter.load(ordering: .sequentiallyConsistent)
            SignalSupport.drainWakeupPipe()
            waiting: while true {
                if sigintCounter.load(ordering: .sequentiallyConsistent) != baseline {
                    // The terminal echoed "^C" and discarded the typed text; end that row.
                    if isatty(1) == 1 { write(toTerminal: "\n") }
                    return .interrupted
                }
                switch SignalSupport.waitForInput(fd: 0) {
                case .signal, .timeout, .output: SignalSupport.drainWakeupPipe()
                case .input, .error: break waiting
                }
            }
        }
        guard let line = plainReader() else { return .endOfInput }
        return .line(line)
    }

    private func readInteractive(_ el: OpaquePointer, prompt: String, prefill: String) -> LineInput {
        setPrompt(prompt)
        interruptBaseline = sigintCounter.load(ordering: .sequentiallyConsistent)
        resizeSeen = sigwinchCounter.load(ordering: .sequentiallyConsistent)
        continueSeen = sigcontCounter.load(ordering: .sequentiallyConsistent)
        SignalSupport.drainWakeupPipe()
        interruptedRead = false
        prefilled = []
        if pasteQueue.isEmpty && !prefill.isEmpty {
            prefilled = prefill.unicodeScalars.map { wchar_t(bitPattern: $0.value) }
            el_wpush(el, prefilled + [0])
        }

        // Output written from now on is drawn above the prompt (by showCapturedOutput).
        console?.beginEditing()
        defer { console?.endEditing() }
        // Bracketed paste on while the line is edited (the terminal marks pasted text), off
        // while statements run and their output is shown.
        write(toTerminal: Self.bracketedPasteOn)
        var count: Int32 = 0
        let result = el_wgets(el, &count)
        write(toTerminal: Self.bracketedPasteOff)
        if interruptedRead {
            interruptedRead = false
            pasteQueue = []
            write(toTerminal: "^C\n")
            return .interrupted
        }
        guard let result, count > 0 else {
            // Ctrl-D on an empty line (libedit echoed "^D"), or the terminal went away.
            write(toTerminal: "\n")
            return .endOfInput
        }
        var scalars = String.UnicodeScalarView()
        for wc in UnsafeBufferPointer(start: result, count: Int(count)) {
            scalars.append(Unicode.Scalar(UInt32(bitPattern: wc)) ?? "\u{FFFD}")
        }
        var line = String(scalars)
        if line.hasSuffix("\n") { line.removeLast() }
        return .line(line)
    }

    private func setPrompt(_ prompt: String) {
        bracketedPrompt = TextLayout.libeditPrompt(prompt)
        free(promptCString)
        promptCString = strdup(bracketedPrompt)
    }

    /// EL_GETCFN: one character from the terminal. Blocks in poll(2) on stdin and the signal
    /// wake-up pipe, so Ctrl-C and window resizes are seen whatever thread the kernel delivered
    /// the signal to. Returns 1 (character stored), 0 (end of file) or -1 (interrupt / error).
    /// A bracketed paste (`ESC [200~ ... ESC [201~`) is read whole and then delivered as if
    /// typed, a line at a time, with its tabs expanded and control characters dropped (so Tab
    /// inside pasted code does not complete).
    private func readCharacter(_ el: OpaquePointer, into out: UnsafeMutablePointer<wchar_t>) -> Int32 {
        var pending: [CChar] = []
        while true {
            if sigintCounter.load(ordering: .sequentiallyConsistent) != interruptBaseline {
                interruptedRead = true
                moveCursorToEnd(el)
                out.pointee = 0
                errno = EINTR
                return -1
            }
            if !pasteQueue.isEmpty {
                out.pointee = pasteQueue.removeFirst()
                return 1
            }
            let byte: CChar
            switch nextByte(el, timeoutMilliseconds: -1) {
            case .byte(let b): byte = b
            case .endOfFile:
                out.pointee = 0
                return 0
            case .failed:
                out.pointee = 0
                return -1
            case .timedOut:
                continue
            }
            if byte == 0x1B && pending.isEmpty && startsPaste(el) {
                removePrefill(el)
                continue
            }
            pending.append(byte)
            // Same decoding rules as libedit's built-in read_char.
            decoding: while true {
                var state = mbstate_t()
                var wc: wchar_t = 0
                let r = pending.withUnsafeBufferPointer { mbrtowc(&wc, $0.baseAddress, $0.count, &state) }
                switch r {
                case -2:  // incomplete sequence: read another byte
                    if pending.count >= 8 { pending.removeAll() }
                    break decoding
                case -1:  // invalid: drop it (keeping the last byte when several were buffered)
                    if pending.count > 1, let last = pending.last {
                        pending = [last]
                        continue decoding
                    }
                    pending.removeAll()
                    break decoding
                default:
                    out.pointee = wc
                    return 1
                }
            }
        }
    }

    private enum ByteRead { case byte(CChar), endOfFile, failed, timedOut }

    /// The next input byte: read-ahead first, then stdin (waiting as `timeoutMilliseconds` says;
    /// -1 waits for input or a signal). Resizes and job-control resumes are handled meanwhile.
    private func nextByte(_ el: OpaquePointer, timeoutMilliseconds: Int32) -> ByteRead {
        if !readAhead.isEmpty { return .byte(readAhead.removeFirst()) }
        while true {
            let resizes = sigwinchCounter.load(ordering: .sequentiallyConsistent)
            if resizes != resizeSeen {
                resizeSeen = resizes
                handleResize(el)
            }
            let continues = sigcontCounter.load(ordering: .sequentiallyConsistent)
            if continues != continueSeen {
                continueSeen = continues
                handleContinue(el)
            }
            if sigintCounter.load(ordering: .sequentiallyConsistent) != interruptBaseline { return .timedOut }
            switch SignalSupport.waitForInput(fd: 0, timeoutMilliseconds: timeoutMilliseconds, outputFD: console?.outputWakeFD ?? -1) {
            case .signal:
                SignalSupport.drainWakeupPipe()
                if timeoutMilliseconds >= 0 { return .timedOut }
                continue
            case .output:
                showCapturedOutput(el)
                continue
            case .error: return .failed
            case .timeout: return .timedOut
            case .input: break
            }
            var byte: CChar = 0
            let n = read(0, &byte, 1)
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return .failed
            }
            return n == 0 ? .endOfFile : .byte(byte)
        }
    }

    static let bracketedPasteOn = "\u{1B}[?2004h"
    static let bracketedPasteOff = "\u{1B}[?2004l"
    private static let pasteStart: [CChar] = Array("[200~".utf8).map { CChar(bitPattern: $0) }
    private static let pasteEnd: [CChar] = Array("\u{1B}[201~".utf8).map { CChar(bitPattern: $0) }
    /// The most a paste may hold; the rest is dropped.
    static let maxPasteBytes = 8 << 20

    /// After an ESC: true when it starts a bracketed paste, which is then read whole into
    /// `pasteQueue`. Otherwise the bytes looked at are kept for libedit (an arrow key, Meta-x).
    private func startsPaste(_ el: OpaquePointer) -> Bool {
        var seen: [CChar] = []
        for expected in Self.pasteStart {
            guard case .byte(let b) = nextByte(el, timeoutMilliseconds: 50) else { break }
            seen.append(b)
            if b != expected { break }
        }
        guard seen == Self.pasteStart else {
            readAhead = seen + readAhead  // the ESC itself goes to libedit now, these after it
            return false
        }
        var bytes: [CChar] = []
        // The terminal sends the whole paste at once; a silence of 2 s ends a paste whose end
        // marker never comes.
        while case .byte(let b) = nextByte(el, timeoutMilliseconds: 2_000) {
            if bytes.count < Self.maxPasteBytes { bytes.append(b) }
            if bytes.count >= Self.pasteEnd.count && bytes.suffix(Self.pasteEnd.count).elementsEqual(Self.pasteEnd) {
                bytes.removeLast(Self.pasteEnd.count)
                break
            }
        }
        let text = String(decoding: bytes.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        pasteQueue = TextLayout.pastedText(text).unicodeScalars.map { wchar_t(bitPattern: $0.value) }
        return true
    }

    /// A paste into an auto-indented line replaces the indentation (pasted code brings its own).
    private func removePrefill(_ el: OpaquePointer) {
        defer { prefilled = [] }
        guard !prefilled.isEmpty, let info = el_wline(el), let buffer = info.pointee.buffer,
            let lastChar = info.pointee.lastchar
        else { return }
        let length = lastChar - buffer
        guard length == prefilled.count, Array(UnsafeBufferPointer(start: buffer, count: length)) == prefilled else { return }
        let shown = inputGeometry(el, columns: columns)
        _ = el_cursor(el, Int32(clamping: length))
        el_deletestr(el, Int32(clamping: length))
        redrawFromPromptStart(el, rowsUp: shown.cursorRow)
    }

    // MARK: - Display helpers (run inside el_wgets, terminal in raw mode)

    private func write(toTerminal text: String) {
        let out = terminalOut ?? clibedit_stdout()
        _ = fputs(text, out)
        _ = fflush(out)
    }

    private func write(toTerminal bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        let out = terminalOut ?? clibedit_stdout()
        _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, out) }
        _ = fflush(out)
    }

    private var columns: Int {
        guard let el else { return 80 }
        let c = Int(clibedit_columns(el))
        return c > 0 ? c : 80
    }

    /// Terminal rows between the prompt's first row and the rows holding the cursor and the end
    /// of the input, assuming `columns` columns (what the terminal shows after reflowing).
    private func inputGeometry(_ el: OpaquePointer, columns: Int) -> (cursorRow: Int, endRow: Int, cursorOffset: Int, endOffset: Int) {
        let prompt = TextLayout.promptGeometry(bracketedPrompt, columns: columns)
        guard let info = el_wline(el), let buffer = info.pointee.buffer,
            let cursor = info.pointee.cursor, let lastChar = info.pointee.lastchar
        else {
            return (prompt.rowsBeforeLastLine, prompt.rowsBeforeLastLine, 0, 0)
        }
        let cursorOffset = cursor - buffer
        let endOffset = lastChar - buffer
        var widthBefore = 0
        var widthAll = 0
        if endOffset > 0 {
            for i in 0..<endOffset {
                let w = Int(clibedit_wcwidth(buffer[i]))
                let width = w < 0 ? 2 : w  // libedit shows control characters as ^X
                if i < cursorOffset { widthBefore += width }
                widthAll += width
            }
        }
        let cols = max(columns, 1)
        return (
            prompt.rowsBeforeLastLine + (prompt.lastLineWidth + widthBefore) / cols,
            prompt.rowsBeforeLastLine + (prompt.lastLineWidth + widthAll) / cols,
            cursorOffset, endOffset
        )
    }

    /// Moves the terminal cursor up to the prompt's first row, clears to the end of the screen
    /// and lets libedit draw prompt and line again from scratch.
    private func redrawFromPromptStart(_ el: OpaquePointer, rowsUp: Int) {
        write(toTerminal: TextLayout.eraseDown(rowsUp: rowsUp))
        _ = clibedit_refresh(el)
    }

    /// SIGWINCH. The terminal has already re-wrapped what it shows to the new width (tmux,
    /// iTerm2, GNOME Terminal, kitty do; the cursor stays on the row of the input's end), so the
    /// prompt starts `cursorRow` rows up, counted at the new width.
    private func handleResize(_ el: OpaquePointer) {
        el_resize(el)
        console?.windowResized()
        let geometry = inputGeometry(el, columns: columns)
        redrawFromPromptStart(el, rowsUp: geometry.cursorRow)
    }

    /// Output arrived while the line is edited: erase prompt and input (and the unfinished
    /// output row above them), print the output, draw prompt and input again below it with the
    /// cursor where it was.
    private func showCapturedOutput(_ el: OpaquePointer) {
        let cols = columns
        guard let console, let update = console.takeOutputForPrompt(columns: cols) else { return }
        let geometry = inputGeometry(el, columns: cols)
        write(toTerminal: TextLayout.eraseDown(rowsUp: geometry.cursorRow + update.rowsAbove))
        write(toTerminal: update.bytes)
        _ = clibedit_refresh(el)
    }

    /// Resumed after Ctrl-Z / `fg`: the job-control shell left the terminal in its own mode and
    /// printed its messages, so re-enter editing mode and draw prompt + line on a fresh row.
    private func handleContinue(_ el: OpaquePointer) {
        _ = clibedit_prep_term(el, 0)
        _ = clibedit_prep_term(el, 1)
        el_resize(el)
        redrawFromPromptStart(el, rowsUp: 0)
    }

    /// Before giving up the line on Ctrl-C, put the cursor after the last character so "^C"
    /// does not overwrite the input.
    private func moveCursorToEnd(_ el: OpaquePointer) {
        let geometry = inputGeometry(el, columns: columns)
        guard geometry.cursorOffset < geometry.endOffset else { return }
        _ = el_cursor(el, Int32(clamping: geometry.endOffset - geometry.cursorOffset))
        redrawFromPromptStart(el, rowsUp: geometry.cursorRow)
    }

    // MARK: - Completion

    /// Tab: one candidate replaces the word; several insert their longest common prefix and
    /// are listed in columns below the input; none beeps.
    private func complete(_ el: OpaquePointer) -> UInt8 {
        guard let info = el_wline(el), let buffer = info.pointee.buffer, let cursor = info.pointee.cursor else { return UInt8(CC_ERROR) }
        let cursorOffset = cursor - buffer
        var scalars = String.UnicodeScalarView()
        for wc in UnsafeBufferPointer(start: buffer, count: max(0, cursorOffset)) {
            scalars.append(Unicode.Scalar(UInt32(bitPattern: wc)) ?? "\u{FFFD}")
        }
        let before = String(scalars)
        // Tab in the indentation indents (to the next multiple of 4 columns), as in Python's REPL.
        if before.allSatisfy({ $0 == " " }) {
            replace(el, deleting: 0, with: String(repeating: " ", count: 4 - before.count % 4))
            return UInt8(CC_REFRESH)
        }
        guard let completer = completerBox.withLock({ $0 }) else { return UInt8(CC_ERROR) }
        let completion = completer(before)
        guard !completion.candidates.isEmpty else { return UInt8(CC_REFRESH_BEEP) }

        let replaced = String(before.suffix(min(max(completion.replacing, 0), before.count)))
        let deleteCount = min(replaced.unicodeScalars.count, cursorOffset)
        if completion.candidates.count == 1 {
            replace(el, deleting: deleteCount, with: completion.candidates[0])
            return UInt8(CC_REFRESH)
        }

        let cols = columns
        let geometry = inputGeometry(el, columns: cols)  // where the terminal cursor is now
        let common = TextLayout.longestCommonPrefix(completion.candidates)
        if common.count > replaced.count {
            replace(el, deleting: deleteCount, with: common)
        }
        var text = String(repeating: "\r\n", count: geometry.endRow - geometry.cursorRow + 1)
        for line in TextLayout.columnLayout(completion.candidates, width: cols) {
            text += line + "\r\n"
        }
        write(toTerminal: text)
        console?.promptDisplaced()
        _ = clibedit_refresh(el)  // draws prompt + line below the listing
        return UInt8(CC_NORM)
    }

    private func replace(_ el: OpaquePointer, deleting count: Int, with text: String) {
        if count > 0 { el_deletestr(el, Int32(clamping: count)) }
        var wide = text.unicodeScalars.map { wchar_t(bitPattern: $0.value) }
        guard !wide.isEmpty else { return }
        wide.append(0)
        _ = el_winsertstr(el, wide)
    }

    // MARK: - History

    /// Adds to the in-memory history and appends to the history file durably (interactive mode
    /// only; a no-op in plain mode). Empty lines and consecutive duplicates are not stored.
    public func addToHistory(_ line: String) {
        session.withLock { _ in
            guard let hist, maxHistory > 0, !line.isEmpty else { return }
            _ = clibedit_history_enter(hist, &historyEvent, line)
            historyStore?.append(line)
        }
    }

    /// What the shell should tell the user about the history file (it was in another format and
    /// was kept under another name; it cannot be written), oldest first; each is returned once.
    /// Call it after `init` and after `addToHistory`, and print each as a warning.
    public func takeHistoryNotices() -> [String] {
        session.withLock { _ in historyStore?.takeNotices() ?? [] }
    }

    // MARK: - Signals

    /// Installs the SIGINT (and SIGWINCH) handling used by the interactive shell: at the prompt
    /// Ctrl-C makes readLine return .interrupted (line cleared, new prompt); at any time it
    /// increments `interruptCount` so the shell can cancel a running statement by polling.
    /// Idempotent. Handlers for SIGINT, SIGWINCH and SIGCONT are installed with SA_RESTART; they
    /// only count the signal and write one byte to an internal non-blocking pipe, so they are
    /// async-signal-safe and never terminate the process (Ctrl-C no longer kills it).
    public static func installSignalHandlers() {
        SignalSupport.install()
    }

    /// SIGINTs received since `installSignalHandlers()` (including those at the prompt).
    public static var interruptCount: Int {
        sigintCounter.load(ordering: .sequentiallyConsistent)
    }
}
