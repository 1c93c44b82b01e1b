import CLibEdit
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Pure text helpers used for completion listings and prompt handling (kept free of libedit so
/// they can be unit-tested).
enum TextLayout {
    /// Delimiter that libedit's EL_PROMPT_ESC uses to bracket non-printing prompt bytes
    /// (the same \001 convention as readline's RL_PROMPT_START_IGNORE).
    static let promptEscapeDelimiter: Character = "\u{1}"

    /// The longest common prefix of `strings`, compared by Character; "" for an empty list.
    static func longestCommonPrefix(_ strings: [String]) -> String {
        guard var prefix = strings.first.map(Array.init) else { return "" }
        for string in strings.dropFirst() {
            var count = 0
            for (a, b) in zip(prefix, string) {
                guard a == b else { break }
                count += 1
            }
            prefix.removeSubrange(count...)
            if prefix.isEmpty { break }
        }
        return String(prefix)
    }

    /// Terminal columns occupied by `string` (wcwidth per scalar; unknown/control scalars count
    /// as 1, combining marks as 0 when the locale knows them).
    static func displayWidth(_ string: some StringProtocol) -> Int {
        var width = 0
        for scalar in string.unicodeScalars {
            let w = Int(clibedit_wcwidth(wchar_t(bitPattern: scalar.value)))
            width += w < 0 ? 1 : w
        }
        return width
    }

    /// Lays `items` out in columns, column-major like `ls`, for a terminal `width` columns wide.
    /// Columns are separated by at least two spaces; lines carry no trailing blanks. One item per
    /// line when even two columns do not fit.
    static func columnLayout(_ items: [String], width: Int, widthOf: (String) -> Int = { displayWidth($0) }) -> [String] {
        guard !items.isEmpty else { return [] }
        let gap = 2
        let widths = items.map(widthOf)
        let cellWidth = (widths.max() ?? 0) + gap
        let columns = max(1, min(items.count, (max(width, 1) + gap) / cellWidth))
        let rows = (items.count + columns - 1) / columns
        var lines: [String] = []
        lines.reserveCapacity(rows)
        for row in 0..<rows {
            var line = ""
            for column in 0..<columns {
                let index = column * rows + row
                guard index < items.count else { break }
                let isLast = (column + 1) * rows + row >= items.count
                line += items[index]
                if !isLast {
                    line += String(repeating: " ", count: cellWidth - widths[index])
                }
            }
            lines.append(line)
        }
        return lines
    }

    /// Brackets every ANSI escape sequence in `prompt` (CSI `ESC [ … final`, OSC `ESC ] … BEL`
    /// or `ESC ] … ESC \`, and two-byte `ESC x`) with `delimiter`, merging adjacent sequences, so
    /// libedit's EL_PROMPT_ESC does not count them as visible columns. A prompt that already
    /// contains the delimiter is assumed to be bracketed by the caller and returned unchanged.
    static func bracketEscapes(_ prompt: String, delimiter: Character = promptEscapeDelimiter) -> String {
        if prompt.contains(delimiter) { return prompt }
        let scalars = Array(prompt.unicodeScalars)
        var out = String.UnicodeScalarView()
        var open = false
        var i = 0
        let esc: Unicode.Scalar = "\u{1B}"
        let delimiterScalar = delimiter.unicodeScalars.first ?? "\u{1}"
        while i < scalars.count {
            let s = scalars[i]
            guard s == esc else {
                if open { out.append(delimiterScalar); open = false }
                out.append(s)
                i += 1
                continue
            }
            // Find the end of this escape sequence.
            var end = i + 1  // exclusive
            if end < scalars.count {
                let kind = scalars[end]
                end += 1
                if kind == "[" {
                    while end < scalars.count {
                        let v = scalars[end].value
                        end += 1
                        if (0x40...0x7E).contains(v) { break }
                    }
                } else if kind == "]" || kind == "P" || kind == "_" || kind == "^" {
                    while end < scalars.count {
                        if scalars[end] == "\u{7}" { end += 1; break }
                        if scalars[end] == esc, end + 1 < scalars.count, scalars[end + 1] == "\\" { end += 2; break }
                        end += 1
                    }
                }
            }
            if !open { out.append(delimiterScalar); open = true }
            out.append(contentsOf: scalars[i..<end])
            i = end
        }
        if open { out.append(delimiterScalar) }
        return String(out)
    }

    /// The prompt as libedit's EL_PROMPT_ESC needs it: escapes bracketed (see `bracketEscapes`),
    /// and escapes at the very end moved in front of the last visible character. libedit keeps a
    /// bracketed sequence with the visible character after it and drops one that has none
    /// ("XXX: We lose" in its prompt.c), so the reset after `ESC[1;32mdspy> ` would never reach
    /// the terminal and everything typed after the prompt would stay bold green. Adjacent
    /// groups are merged: libedit cannot take two in a row either.
    static func libeditPrompt(_ prompt: String, delimiter: Character = promptEscapeDelimiter) -> String {
        let bracketed = bracketEscapes(prompt, delimiter: delimiter)
        guard let d = delimiter.unicodeScalars.first else { return bracketed }
        enum Token { case visible(Unicode.Scalar), group([Unicode.Scalar]) }
        var tokens: [Token] = []
        var group: [Unicode.Scalar]? = nil
        for scalar in bracketed.unicodeScalars {
            if scalar == d {
                if let open = group {
                    if case .group(let previous)? = tokens.last {
                        tokens[tokens.count - 1] = .group(previous + open)
                    } else {
                        tokens.append(.group(open))
                    }
                    group = nil
                } else {
                    group = []
                }
            } else if group != nil {
                group?.append(scalar)
            } else {
                tokens.append(.visible(scalar))
            }
        }
        if let open = group, !open.isEmpty { tokens.append(.group(open)) }  // unterminated: close it
        if case .group(let trailing)? = tokens.last,
            let lastVisible = tokens.lastIndex(where: { if case .visible = $0 { return true } else { return false } })
        {
            tokens.removeLast()
            if lastVisible > 0, case .group(let before) = tokens[lastVisible - 1] {
                tokens[lastVisible - 1] = .group(before + trailing)
            } else {
                tokens.insert(.group(trailing), at: lastVisible)
            }
        }
        var out = String.UnicodeScalarView()
        for token in tokens {
            switch token {
            case .visible(let scalar): out.append(scalar)
            case .group(let scalars):
                out.append(d)
                out.append(contentsOf: scalars)
                out.append(d)
            }
        }
        return String(out)
    }

    /// Columns a row of terminal output occupies once drawn: escape sequences take none, a
    /// carriage return goes back to the first column (what it overwrites still counts), an erase
    /// (`ESC[K`, `ESC[2K`) forgets what was to the right of the cursor, a tab goes to the next
    /// multiple of 8. Invalid UTF-8 counts one column per replacement character.
    static func visibleWidth(ofTerminalRow bytes: [UInt8]) -> Int {
        let scalars = Array(String(decoding: bytes, as: UTF8.self).unicodeScalars)
        var column = 0
        var widest = 0
        var i = 0
        while i < scalars.count {
            let s = scalars[i]
            switch s.value {
            case 0x1B:
                guard i + 1 < scalars.count else { i += 1; continue }
                let kind = scalars[i + 1]
                var j = i + 2
                if kind == "[" {
                    var parameters = ""
                    while j < scalars.count, !(0x40...0x7E).contains(scalars[j].value) {
                        parameters.unicodeScalars.append(scalars[j])
                        j += 1
                    }
                    if j < scalars.count, scalars[j] == "K" {
                        if parameters.isEmpty || parameters == "0" || parameters == "2" { widest = column }
                    }
                    i = j + 1
                } else if kind == "]" || kind == "_" || kind == "P" || kind == "^" {
                    while j < scalars.count {
                        if scalars[j] == "\u{7}" { j += 1; break }
                        if scalars[j] == "\u{1B}", j + 1 < scalars.count, scalars[j + 1] == "\\" { j += 2; break }
                        j += 1
                    }
                    i = j
                } else {
                    i += 2
                }
                continue
            case 0x0D: column = 0
            case 0x08: column = max(0, column - 1)
            case 0x09: column += 8 - column % 8
            case 0..<0x20, 0x7F: break
            default:
                let w = Int(clibedit_wcwidth(wchar_t(bitPattern: s.value)))
                column += w < 0 ? 1 : w
            }
            widest = max(widest, column)
            i += 1
        }
        return widest
    }

    /// Moves the cursor `rowsUp` rows up to column 0 and erases from there to the end of the
    /// screen, without ever erasing "the whole screen" in one go: from the top-left corner,
    /// `ESC[J` makes tmux (scroll-on-clear, on by default since 3.3) push the screen into its
    /// scrollback first, and after a resize that old copy of the line came back. So the first
    /// row is erased on its own and `ESC[J` runs from the row below (cursor saved and restored).
    static func eraseDown(rowsUp: Int) -> String {
        (rowsUp > 0 ? "\u{1B}[\(rowsUp)A" : "") + "\r\u{1B}[2K\u{1B}7\u{1B}[1B\u{1B}[J\u{1B}8"
    }

    /// Visible layout of a (bracketed) prompt for a terminal `columns` wide: how many rows it
    /// takes before its last line, and the width of that last line.
    static func promptGeometry(_ bracketedPrompt: String, columns: Int, delimiter: Character = promptEscapeDelimiter) -> (
        rowsBeforeLastLine: Int, lastLineWidth: Int
    ) {
        var visible = ""
        var inEscape = false
        for character in bracketedPrompt {
            if character == delimiter { inEscape.toggle(); continue }
            if !inEscape { visible.append(character) }
        }
        let cols = max(columns, 1)
        let lines = visible.split(separator: "\n", omittingEmptySubsequences: false)
        var rows = 0
        for line in lines.dropLast() {
            rows += max(1, (displayWidth(line) + cols - 1) / cols)
        }
        return (rows, displayWidth(lines.last ?? ""))
    }

    /// Pasted text as it is delivered to the line editor: line ends as `\n` (from `\r\n` or
    /// `\r`), tabs expanded to 8-column stops (Python's rule for indentation), other control
    /// characters dropped (they would run editing commands).
    static func pastedText(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var column = 0
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            defer { previousWasCR = scalar == "\r" }
            switch scalar {
            case "\n":
                if previousWasCR { continue }
                out.append("\n")
                column = 0
            case "\r":
                out.append("\n")
                column = 0
            case "\t":
                let spaces = 8 - column % 8
                out.append(contentsOf: Array(repeating: " ", count: spaces))
                column += spaces
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { continue }
                out.append(scalar)
                column += 1
            }
        }
        return String(out)
    }
}
