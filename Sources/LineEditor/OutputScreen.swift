/// The byte stream that reaches the console's pseudo-terminal, and what the console draws for it.
/// Pure value types (no file descriptors, no libedit), so they are unit-tested directly.

/// A frame marks text that the shell itself wrote through `Console` (its output, a log line) or
/// a synchronisation point, in the stream that also carries every other write to stdout/stderr.
/// The header is an APC string (`ESC _ dspy;KIND;LENGTH ESC \`) that a terminal ignores, followed
/// by LENGTH bytes of payload, so a raw copy of the stream (the crash path) still reads right.
/// One `write(2)` carries one whole frame; a pseudo-terminal never interleaves two writes.
enum CaptureFrame {
    static let prefix: [UInt8] = Array("\u{1B}_dspy;".utf8)
    static let terminator: [UInt8] = [0x1B, 0x5C]  // ESC backslash
    /// Longest header accepted (kind, length and terminator after the prefix).
    static let maxHeader = 40

    enum Kind: UInt8 {
        case text = 0x6F  // "o": output; shares a row as a terminal would
        case log = 0x6C  // "l": a log line; always starts on a row of its own
        case sync = 0x73  // "s": payload = id; everything before it has been drawn
        case statementEnd = 0x65  // "e": payload = id; the statement ended (spinner off)
        case interrupt = 0x69  // "i": the terminal echoed ^C where the cursor was
    }

    static func encode(_ kind: Kind, _ payload: [UInt8]) -> [UInt8] {
        prefix + [kind.rawValue, 0x3B] + Array(String(payload.count).utf8) + terminator + payload
    }
}

/// Splits the captured stream into frames and the bytes around them ("foreign" output: the
/// library's progress lines and anything else written straight to file descriptors 1 and 2).
struct CaptureParser {
    enum Event: Equatable {
        case foreign([UInt8])
        case text([UInt8])
        case log([UInt8])
        case sync(Int)
        case statementEnd(Int)
        case interrupt
    }

    /// Bytes not classified yet: a possible frame header, or a frame whose payload is incomplete.
    private(set) var pending: [UInt8] = []

    mutating func feed<S: Sequence>(_ bytes: S) -> [Event] where S.Element == UInt8 {
        var buffer = pending
        pending = []  // `buffer` is now the only reference: appending does not copy
        buffer.append(contentsOf: bytes)
        var events: [Event] = []
        var foreignStart = 0
        var i = 0
        func flushForeign(upTo end: Int) {
            if end > foreignStart { events.append(.foreign(Array(buffer[foreignStart..<end]))) }
        }
        scanning: while i < buffer.count {
            guard buffer[i] == 0x1B else {
                i += 1
                continue
            }
            switch Self.frame(in: buffer, at: i) {
            case .notAFrame:
                i += 1
            case .incomplete:
                flushForeign(upTo: i)
                // A large frame arrives over many reads: keep its bytes without copying them again.
                pending = i == 0 ? buffer : Array(buffer[i...])
                foreignStart = buffer.count
                break scanning
            case .frame(let event, let end):
                flushForeign(upTo: i)
                if let event { events.append(event) }
                i = end
                foreignStart = end
            }
        }
        flushForeign(upTo: min(i, buffer.count))
        return events
    }

    /// When no more bytes came for a while: a held-back prefix that never became a frame header
    /// is ordinary output after all (a frame's own bytes always arrive together).
    mutating func flushStale() -> [Event] {
        guard !pending.isEmpty else { return [] }
        let startsFrameHeader =
            pending.count >= CaptureFrame.prefix.count
            && Array(pending.prefix(CaptureFrame.prefix.count)) == CaptureFrame.prefix
            && pending.count > CaptureFrame.prefix.count + 2
            && Self.headerEnd(pending) != nil
        if startsFrameHeader { return [] }
        defer { pending = [] }
        return [.foreign(pending)]
    }

    private enum Match { case notAFrame, incomplete, frame(Event?, end: Int) }

    private static func headerEnd(_ buffer: [UInt8], from start: Int = 0) -> Int? {
        let limit = min(buffer.count - 1, start + CaptureFrame.maxHeader)
        var j = start + CaptureFrame.prefix.count
        while j < limit {
            if buffer[j] == 0x1B && buffer[j + 1] == 0x5C { return j }
            j += 1
        }
        return nil
    }

    private static func frame(in buffer: [UInt8], at start: Int) -> Match {
        let prefix = CaptureFrame.prefix
        let available = buffer.count - start
        if available < prefix.count {
            return buffer[start...].elementsEqual(prefix.prefix(available)) ? .incomplete : .notAFrame
        }
        guard buffer[start..<(start + prefix.count)].elementsEqual(prefix) else { return .notAFrame }
        guard let terminator = headerEnd(buffer, from: start) else {
            return available < CaptureFrame.maxHeader ? .incomplete : .notAFrame
        }
        // KIND ';' LENGTH
        let fields = buffer[(start + prefix.count)..<terminator]
        guard fields.count >= 3, let kindByte = fields.first, let kind = CaptureFrame.Kind(rawValue: kindByte),
            fields[fields.startIndex + 1] == 0x3B,
            let length = Int(String(decoding: fields.dropFirst(2), as: UTF8.self)), length >= 0
        else {
            return .notAFrame
        }
        let payloadStart = terminator + 2
        let end = payloadStart + length
        guard end <= buffer.count else { return .incomplete }
        let payload = Array(buffer[payloadStart..<end])
        let event: Event?
        switch kind {
        case .text: event = .text(payload)
        case .log: event = .log(payload)
        case .sync: event = Int(String(decoding: payload, as: UTF8.self)).map(Event.sync)
        case .statementEnd: event = Int(String(decoding: payload, as: UTF8.self)).map(Event.statementEnd)
        case .interrupt: event = .interrupt
        }
        return .frame(event, end: end)
    }
}

/// What the bottom of the output looks like, and the bytes that draw each new piece of output so
/// that nothing shares a row with a progress line (a row that a foreign writer redraws in place
/// with a carriage return) or with the spinner.
///
/// Line feeds go out as CR LF, so the same bytes are right whether the terminal is in libedit's
/// editing mode or not.
struct OutputScreen {
    /// The unterminated last row of output, as written (escape sequences included): writing it
    /// again on an empty row shows the same thing.
    private(set) var row: [UInt8] = []
    /// `row` is a progress line: a foreign writer draws it in place (`\r` …).
    private(set) var isProgressRow = false
    /// The spinner is on the (otherwise empty) last row.
    private(set) var spinnerShown = false

    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let eraseRow: [UInt8] = Array("\r\u{1B}[2K".utf8)
    /// A row longer than this keeps only its end (it is only ever redrawn for a progress line).
    static let maxRow = 16 * 1024

    /// The bytes for one captured event (sync markers draw nothing).
    mutating func apply(_ event: CaptureParser.Event) -> [UInt8] {
        switch event {
        case .foreign(let bytes): return foreign(bytes)
        case .text(let bytes): return ours(bytes, isLog: false)
        case .log(let bytes): return ours(bytes, isLog: true)
        case .interrupt: return interrupted()
        case .sync, .statementEnd: return []
        }
    }

    /// Ctrl-C while a statement runs: the terminal echoed `^C` at the cursor. On the spinner's
    /// row it goes with the spinner; anywhere else its row is ended, so what follows starts on
    /// a row of its own.
    mutating func interrupted() -> [UInt8] {
        if spinnerShown { return hideSpinner() }
        row = []
        isProgressRow = false
        return [Self.cr, Self.lf]
    }

    /// Output written around the shell (a progress line). A carriage return at its start over a
    /// row of ordinary output first ends that row, so the progress line does not erase it.
    mutating func foreign(_ bytes: [UInt8]) -> [UInt8] {
        guard !bytes.isEmpty else { return [] }
        var out = hideSpinner()
        if !row.isEmpty && !isProgressRow, bytes.first == Self.cr, bytes.dropFirst().first != Self.lf {
            out += [Self.cr, Self.lf]
            row = []
        }
        append(bytes, to: &out, foreign: true)
        return out
    }

    /// The shell's own output. Over a progress line it goes above it: the progress line is erased,
    /// the text written (ending its row) and the progress line drawn again below. A log line
    /// always starts on a row of its own.
    mutating func ours(_ bytes: [UInt8], isLog: Bool) -> [UInt8] {
        guard !bytes.isEmpty else { return [] }
        var out = hideSpinner()
        if isProgressRow {
            out += Self.eraseRow
            out += Self.translated(bytes)
            if bytes.last != Self.lf { out += [Self.cr, Self.lf] }
            out += row
            return out
        }
        if isLog && !row.isEmpty {
            out += [Self.cr, Self.lf]
            row = []
        }
        append(bytes, to: &out, foreign: false)
        return out
    }

    /// Draws (or redraws) the spinner, only on an empty row.
    mutating func showSpinner(_ text: String) -> [UInt8] {
        guard row.isEmpty else { return [] }
        spinnerShown = true
        return Self.eraseRow + Array(text.utf8)
    }

    mutating func hideSpinner() -> [UInt8] {
        guard spinnerShown else { return [] }
        spinnerShown = false
        return Self.eraseRow
    }

    /// Before a prompt: the prompt starts on a fresh row. The unterminated row stays on screen
    /// above it (and is still `row`: more output continues it). Returns the bytes to write.
    mutating func prepareForPrompt() -> [UInt8] {
        var out = hideSpinner()
        if !row.isEmpty { out += [Self.cr, Self.lf] }
        return out
    }

    /// While a line is edited: the caller has erased the screen from the first row of `row` (when
    /// it was shown above the prompt) down; this draws `row` again, then `events`, and ends on a
    /// fresh row for the prompt.
    mutating func renderAbovePrompt(_ events: [CaptureParser.Event], rowIsShown: Bool) -> [UInt8] {
        var out: [UInt8] = rowIsShown ? row : []
        for event in events { out += apply(event) }
        if !row.isEmpty { out += [Self.cr, Self.lf] }
        return out
    }

    /// The edited line was entered: the terminal's cursor is at the start of a fresh row, below
    /// whatever was above the prompt.
    mutating func promptEnded() {
        row = []
        isProgressRow = false
        spinnerShown = false
    }

    /// Terminal rows that `row` takes on a terminal `columns` wide (at least 1).
    func rowHeight(columns: Int) -> Int {
        let width = TextLayout.visibleWidth(ofTerminalRow: row)
        let cols = max(columns, 1)
        return max(1, (width + cols - 1) / cols)
    }

    private mutating func append(_ bytes: [UInt8], to out: inout [UInt8], foreign: Bool) {
        out.reserveCapacity(out.count + bytes.count + 8)
        for byte in bytes {
            if byte == Self.lf {
                out += [Self.cr, Self.lf]
                row = []
                isProgressRow = false
            } else {
                out.append(byte)
                row.append(byte)
                if byte == Self.cr && foreign { isProgressRow = true }
            }
        }
        compactRow()
    }

    /// Keeps `row` small: what came before a carriage return followed by an erase is invisible
    /// (a progress line redrawn a hundred times is kept as its last drawing).
    private mutating func compactRow() {
        guard row.count > 4 else { return }
        if let start = Self.lastErase(in: row), start > 0 { row.removeFirst(start) }
        if row.count > Self.maxRow { row.removeFirst(row.count - Self.maxRow) }
    }

    private static func lastErase(in row: [UInt8]) -> Int? {
        var i = row.count - 1
        while i >= 0 {
            if row[i] == cr, i + 3 < row.count, row[i + 1] == 0x1B, row[i + 2] == 0x5B,
                row[i + 3] == 0x4B || (i + 4 < row.count && row[i + 3] == 0x32 && row[i + 4] == 0x4B)
            {
                return i
            }
            i -= 1
        }
        return nil
    }

    static func translated(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 8)
        for byte in bytes {
            if byte == lf { out += [cr, lf] } else { out.append(byte) }
        }
        return out
    }
}
