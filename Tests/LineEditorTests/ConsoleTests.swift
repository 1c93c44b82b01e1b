import CLibEdit
import Testing
@testable import LineEditor
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// MARK: - A small terminal, to check what bytes look like once drawn

/// Just enough of a VT100 to draw the console's and the editor's bytes: printable characters
/// (wrapping at the right margin), CR, LF, BS, `ESC[nA`/`ESC[nB`, `ESC[K`/`ESC[2K`, `ESC[J`,
/// `ESC 7`/`ESC 8`; other escape sequences are consumed and ignored. The screen grows downward
/// (no scrolling), so `rows` is everything ever shown.
struct MiniTerminal {
    let width: Int
    private(set) var grid: [[Character]] = [[]]
    private(set) var row = 0
    private(set) var column = 0
    private var saved = (0, 0)
    private var pendingWrap = false

    init(width: Int = 80) { self.width = width }

    /// The rows drawn, without trailing blanks or trailing empty rows.
    var rows: [String] {
        var lines = grid.map { String(String($0).reversed().drop { $0 == " " }.reversed()) }
        while let last = lines.last, last.isEmpty, lines.count > 1 { lines.removeLast() }
        return lines
    }

    mutating func write(_ text: String) { write(Array(text.utf8)) }

    mutating func write(_ bytes: [UInt8]) {
        let scalars = Array(String(decoding: bytes, as: UTF8.self).unicodeScalars)
        var i = 0
        while i < scalars.count {
            let s = scalars[i]
            switch s {
            case "\r": column = 0; pendingWrap = false
            case "\n": moveTo(row + 1, column); pendingWrap = false
            case "\u{8}": column = max(0, column - 1); pendingWrap = false
            case "\u{1B}":
                i += 1
                guard i < scalars.count else { return }
                switch scalars[i] {
                case "7": saved = (row, column)
                case "8": (row, column) = saved; pendingWrap = false
                case "[":
                    var parameters = ""
                    i += 1
                    while i < scalars.count, !(0x40...0x7E).contains(scalars[i].value) {
                        parameters.unicodeScalars.append(scalars[i])
                        i += 1
                    }
                    guard i < scalars.count else { return }
                    csi(parameters, scalars[i])
                case "]", "_":
                    while i + 1 < scalars.count, scalars[i] != "\u{7}", !(scalars[i] == "\u{1B}" && scalars[i + 1] == "\\") { i += 1 }
                    if scalars[i] == "\u{1B}" { i += 1 }
                default: break
                }
            default:
                if s.value < 0x20 { break }
                if pendingWrap {
                    moveTo(row + 1, 0)
                    pendingWrap = false
                }
                put(Character(s))
                if column == width - 1 { pendingWrap = true } else { column += 1 }
            }
            i += 1
        }
    }

    private mutating func csi(_ parameters: String, _ final: Unicode.Scalar) {
        let n = Int(parameters) ?? 1
        pendingWrap = false
        switch final {
        case "A": row = max(0, row - n)
        case "B": moveTo(row + n, column)
        case "G": column = max(0, min(width - 1, n - 1))
        case "K":
            ensureRow(row)
            if parameters == "2" { grid[row] = [] } else if grid[row].count > column { grid[row].removeSubrange(column...) }
        case "J":
            ensureRow(row)
            if grid[row].count > column { grid[row].removeSubrange(column...) }
            if row + 1 < grid.count { grid.removeSubrange((row + 1)...) }
        default: break  // colours and modes
        }
    }

    private mutating func moveTo(_ r: Int, _ c: Int) {
        row = r
        column = c
        ensureRow(r)
    }

    private mutating func ensureRow(_ r: Int) {
        while grid.count <= r { grid.append([]) }
    }

    private mutating func put(_ character: Character) {
        ensureRow(row)
        while grid[row].count < column { grid[row].append(" ") }
        if grid[row].count == column { grid[row].append(character) } else { grid[row][column] = character }
    }
}

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

// MARK: - The captured stream

@Suite struct CaptureParserTests {
    @Test func framesAndForeignBytesComeOutInOrder() {
        var parser = CaptureParser()
        let stream =
            bytes("\r\u{1B}[2KProcessed 1 / 3") + CaptureFrame.encode(.log, bytes("warning: x\n"))
            + bytes("tail") + CaptureFrame.encode(.text, bytes("out\n")) + CaptureFrame.encode(.sync, bytes("7"))
        #expect(
            parser.feed(stream) == [
                .foreign(bytes("\r\u{1B}[2KProcessed 1 / 3")), .log(bytes("warning: x\n")), .foreign(bytes("tail")),
                .text(bytes("out\n")), .sync(7),
            ])
        #expect(parser.pending.isEmpty)
    }

    @Test func aFrameSplitAtAnyByteIsStillOneFrame() {
        let payload = bytes("héllo ✓\n") + [0x1B] + bytes("_dspy;o;3")  // looks like a header inside a payload
        let stream = bytes("ab") + CaptureFrame.encode(.text, payload) + bytes("\u{1B}[2Kcd")
        for cut in 0...stream.count {
            var parser = CaptureParser()
            var events = parser.feed(stream[..<cut])
            events += parser.feed(stream[cut...])
            // Foreign bytes may come in pieces; joined, they are the same.
            var merged: [CaptureParser.Event] = []
            for event in events {
                if case .foreign(let b) = event, case .foreign(let a)? = merged.last {
                    merged[merged.count - 1] = .foreign(a + b)
                } else {
                    merged.append(event)
                }
            }
            #expect(merged == [.foreign(bytes("ab")), .text(payload), .foreign(bytes("\u{1B}[2Kcd"))], "cut at \(cut)")
        }
    }

    @Test func escapesThatAreNotFramesAreOrdinaryOutput() {
        var parser = CaptureParser()
        // A foreign APC string, and a header with an unknown kind.
        let foreign = bytes("\u{1B}_other\u{1B}\\x\u{1B}_dspy;z;1\u{1B}\\y")
        #expect(parser.feed(foreign) == [.foreign(foreign)])
        // A lone ESC at the end is held back (it may start a frame) until it is known not to.
        #expect(parser.feed(bytes("abc\u{1B}")) == [.foreign(bytes("abc"))])
        #expect(parser.pending == [0x1B])
        #expect(parser.flushStale() == [.foreign([0x1B])])
        #expect(parser.pending.isEmpty)
        // An incomplete frame is not flushed as output: its payload is on its way.
        let frame = CaptureFrame.encode(.text, bytes("0123456789"))
        #expect(parser.feed(frame.prefix(frame.count - 3)) == [])
        #expect(parser.flushStale() == [])
        #expect(parser.feed(frame.suffix(3)) == [.text(bytes("0123456789"))])
    }
}

// MARK: - What reaches the screen

@Suite struct OutputScreenTests {
    /// Draws `events` (not editing) on a fresh terminal.
    private func draw(_ events: [CaptureParser.Event], screen: inout OutputScreen, on terminal: inout MiniTerminal) {
        for event in events { terminal.write(screen.apply(event)) }
    }

    @Test func aLogLineGoesAboveAProgressLineNeverOnIt() {
        var screen = OutputScreen()
        var terminal = MiniTerminal()
        draw(
            [
                .foreign(bytes("\r\u{1B}[2KProcessed 1 / 3 examples")), .log(bytes("warning: item 2 failed\n")),
                .foreign(bytes("\r\u{1B}[2KProcessed 2 / 3 examples")),
            ], screen: &screen, on: &terminal)
        #expect(terminal.rows == ["warning: item 2 failed", "Processed 2 / 3 examples"])
        #expect(screen.isProgressRow)
        // The shell's own output too, a partial line included (it cannot share the row either).
        draw(
            [.text(bytes("partial")), .foreign(bytes("\r\u{1B}[2KProcessed 3 / 3 examples\n")), .text(bytes("after\n"))],
            screen: &screen, on: &terminal)
        #expect(terminal.rows == ["warning: item 2 failed", "partial", "Processed 3 / 3 examples", "after"])
        #expect(!screen.isProgressRow && screen.row.isEmpty)
    }

    @Test func aProgressLineDoesNotEraseAnUnfinishedRow() {
        var screen = OutputScreen()
        var terminal = MiniTerminal()
        draw([.text(bytes("thinking...")), .foreign(bytes("\r\u{1B}[2KProcessed 1 / 2"))], screen: &screen, on: &terminal)
        #expect(terminal.rows == ["thinking...", "Processed 1 / 2"])
    }

    @Test func aLogLineStartsARowOfItsOwnButTextContinuesOne() {
        var screen = OutputScreen()
        var terminal = MiniTerminal()
        draw([.text(bytes("a")), .text(bytes("b")), .log(bytes("warning: w\n")), .text(bytes("c\n"))], screen: &screen, on: &terminal)
        #expect(terminal.rows == ["ab", "warning: w", "c"])
    }

    @Test func theSpinnerOnlyUsesAnEmptyRowAndLeavesBeforeOutput() {
        var screen = OutputScreen()
        var terminal = MiniTerminal()
        terminal.write(screen.showSpinner("⠋ 1.0s"))
        #expect(terminal.rows == ["⠋ 1.0s"])
        terminal.write(screen.showSpinner("⠙ 1.1s"))
        #expect(terminal.rows == ["⠙ 1.1s"])
        terminal.write(screen.apply(.text(bytes("result\n"))))
        #expect(terminal.rows == ["result"])
        terminal.write(screen.apply(.text(bytes("no newline"))))
        #expect(screen.showSpinner("⠹ 2.0s").isEmpty)  // would share the row
        terminal.write(screen.apply(.text(bytes("\n"))))
        terminal.write(screen.showSpinner("⠹ 2.0s"))
        terminal.write(screen.hideSpinner())
        #expect(terminal.rows == ["result", "no newline"])
        #expect(screen.hideSpinner().isEmpty)
    }

    @Test func anEchoedCtrlCGoesWithTheSpinnerOrEndsItsRow() {
        var screen = OutputScreen()
        var terminal = MiniTerminal()
        terminal.write(screen.showSpinner("⠋ 1.0s"))
        terminal.write("^C")  // the terminal's echo
        terminal.write(screen.apply(.interrupt))
        terminal.write(screen.apply(.text(bytes("error: interrupted\n"))))
        #expect(terminal.rows == ["error: interrupted"])
        terminal.write(screen.apply(.text(bytes("partial"))))
        terminal.write("^C")
        terminal.write(screen.apply(.interrupt))
        terminal.write(screen.apply(.text(bytes("error: interrupted\n"))))
        #expect(terminal.rows == ["error: interrupted", "partial^C", "error: interrupted"])
    }

    @Test func outputWhileEditingGoesAboveThePromptAndKeepsTheTypedText() {
        var screen = OutputScreen()
        var terminal = MiniTerminal(width: 40)
        terminal.write("[1] started\r\n")
        terminal.write(screen.prepareForPrompt())
        let typed = "dspy> partial_text"
        terminal.write(typed)  // what libedit draws
        // A job prints while the user types: erase the prompt (1 row, cursor on it), print, redraw.
        var update = screen.renderAbovePrompt([.text(bytes("from job\n"))], rowIsShown: false)
        terminal.write(TextLayout.eraseDown(rowsUp: 0))
        terminal.write(update)
        terminal.write(typed)
        #expect(terminal.rows == ["[1] started", "from job", typed])
        // A progress line stays on the row above the prompt and is redrawn in place there.
        for n in 1...3 {
            let rowsAbove = screen.row.isEmpty ? 0 : screen.rowHeight(columns: 40)
            update = screen.renderAbovePrompt([.foreign(bytes("\r\u{1B}[2KProcessed \(n) / 3"))], rowIsShown: !screen.row.isEmpty)
            terminal.write(TextLayout.eraseDown(rowsUp: rowsAbove))
            terminal.write(update)
            terminal.write(typed)
        }
        #expect(terminal.rows == ["[1] started", "from job", "Processed 3 / 3", typed])
        // A log line goes above the progress line.
        update = screen.renderAbovePrompt([.log(bytes("warning: slow\n"))], rowIsShown: true)
        terminal.write(TextLayout.eraseDown(rowsUp: screen.rowHeight(columns: 40)))
        terminal.write(update)
        terminal.write(typed)
        #expect(terminal.rows == ["[1] started", "from job", "warning: slow", "Processed 3 / 3", typed])
        #expect(terminal.column == typed.count)
    }

    @Test func aProgressLineRedrawnManyTimesIsKeptAsItsLastDrawing() {
        var screen = OutputScreen()
        for n in 0..<500 { _ = screen.apply(.foreign(bytes("\r\u{1B}[2KProcessed \(n) / 500"))) }
        #expect(screen.row == bytes("\r\u{1B}[2KProcessed 499 / 500"))
    }

    @Test func rowHeightCountsVisibleColumnsOnly() {
        #expect(TextLayout.visibleWidth(ofTerminalRow: bytes("\r\u{1B}[2K\u{1B}[1mabc\u{1B}[0m")) == 3)
        #expect(TextLayout.visibleWidth(ofTerminalRow: bytes("abcdef\rxy")) == 6)  // overwritten, not erased
        #expect(TextLayout.visibleWidth(ofTerminalRow: bytes("abcdef\r\u{1B}[2Kxy")) == 2)
        var screen = OutputScreen()
        _ = screen.apply(.text(bytes(String(repeating: "x", count: 81))))
        #expect(screen.rowHeight(columns: 80) == 2)
        #expect(screen.rowHeight(columns: 81) == 1)
    }

    @Test func spinnerTextShowsTenthsOfASecond() {
        #expect(Console.spinnerText(frame: "⠋", elapsed: .milliseconds(1234)) == "⠋ 1.2s")
        #expect(Console.spinnerText(frame: "⠙", elapsed: .seconds(61)) == "⠙ 61.0s")
    }
}

// MARK: - Redrawing

@Suite struct RedrawTests {
    @Test func eraseDownNeverClearsFromTheTopLeftCorner() {
        // tmux's scroll-on-clear turns ESC[J at row 0, column 0 into "push the screen into the
        // scrollback", which is how an old copy of the line came back after a resize.
        for rows in 0..<4 {
            let sequence = TextLayout.eraseDown(rowsUp: rows)
            guard let j = sequence.firstRange(of: "\u{1B}[J") else {
                Issue.record("no ESC[J in \(sequence.debugDescription)")
                continue
            }
            let before = sequence[..<j.lowerBound]
            #expect(before.hasSuffix("\u{1B}[1B"), "ESC[J must run one row below the first: \(sequence.debugDescription)")
        }
        var terminal = MiniTerminal(width: 10)
        terminal.write("above\r\ndspy> 0123456789abc")  // the input wraps to a second row
        terminal.write(TextLayout.eraseDown(rowsUp: 1))
        #expect(terminal.rows == ["above"])
        #expect(terminal.row == 1 && terminal.column == 0)
    }
}

// MARK: - The prompt

@Suite struct PromptEscapeTests {
    @Test func trailingEscapesMoveBeforeTheLastVisibleCharacter() {
        #expect(
            TextLayout.libeditPrompt("\u{1B}[1;32mdspy> \u{1B}[0m")
                == "\u{1}\u{1B}[1;32m\u{1}dspy>\u{1}\u{1B}[0m\u{1} ")
        // Merged with a group already in front of that character (libedit cannot take two in a row).
        #expect(
            TextLayout.libeditPrompt("\u{1B}[1mab\u{1B}[31mc\u{1B}[0m")
                == "\u{1}\u{1B}[1m\u{1}ab\u{1}\u{1B}[31m\u{1B}[0m\u{1}c")
        #expect(TextLayout.libeditPrompt("dspy> ") == "dspy> ")
        #expect(TextLayout.libeditPrompt("\u{1B}[1;32mdspy> ") == "\u{1}\u{1B}[1;32m\u{1}dspy> ")
        #expect(TextLayout.libeditPrompt("\u{1B}[0m") == "\u{1}\u{1B}[0m\u{1}")  // nothing visible to carry it
        let geometry = TextLayout.promptGeometry(TextLayout.libeditPrompt("\u{1B}[1;32mdspy[2]> \u{1B}[0m"), columns: 80)
        #expect(geometry == (0, 9))
    }

    /// The real libedit, on a pseudo-terminal: the bytes it writes for the shell's coloured prompt
    /// end the colour before the typed text.
    @Test func libeditWritesThePromptsResetBeforeTheInput() throws {
        var master: Int32 = -1
        var slave: Int32 = -1
        try #require(clibedit_open_raw_pty(&master, &slave, -1) == 0)
        defer { close(master) }
        let input = fdopen(slave, "r")
        let output = fdopen(clibedit_dup_cloexec(slave), "w")
        try #require(input != nil && output != nil)
        defer { fclose(input); fclose(output) }
        let el = try #require(el_init("test", input, output, output))
        defer { el_end(el) }
        _ = clibedit_set_terminal(el, "xterm")
        _ = clibedit_set_editor(el, "emacs")
        let prompt = strdup(TextLayout.libeditPrompt("\u{1B}[1;32mdspy> \u{1B}[0m"))
        defer { free(prompt) }
        _ = clibedit_set_clientdata(el, UnsafeMutableRawPointer(prompt))
        _ = clibedit_set_prompt_esc(
            el,
            { el in
                clibedit_get_clientdata(el)?.assumingMemoryBound(to: CChar.self)
            }, 1)
        let typed = Array("abc\r".utf8)
        #expect(typed.withUnsafeBytes { write(master, $0.baseAddress, $0.count) } == typed.count)
        var count: Int32 = 0
        let line = el_gets(el, &count)
        #expect(line.map { String(cString: $0) } == "abc\n")
        var drawn: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            var fd = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard poll(&fd, 1, 200) > 0 else { break }
            let n = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            drawn += buffer[0..<n]
        }
        let text = String(decoding: drawn, as: UTF8.self)
        let colour = try #require(text.firstRange(of: "\u{1B}[1;32m"), "no colour in \(text.debugDescription)")
        let typedText = try #require(text[colour.upperBound...].firstRange(of: "abc"), "no input in \(text.debugDescription)")
        #expect(
            text[colour.upperBound..<typedText.lowerBound].contains("\u{1B}[0m"),
            "the colour is not reset before the input: \(text.debugDescription)")
    }
}
