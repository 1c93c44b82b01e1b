/// Splits source text into top-level statements without parsing it, so each can be parsed and
/// run on its own: a syntax error then stops (or skips) one statement, not the whole script.
/// Also decides whether an interactive entry needs more lines.
public enum StatementSplitter {
    /// One top-level statement (with its decorators and indented block) or one magic line.
    public struct Chunk: Sendable, Equatable {
        public enum Kind: Sendable, Equatable { case python, magic }
        public var kind: Kind
        public var text: String
        /// 1-based lines the chunk spans in the source.
        public var firstLine: Int
        public var lastLine: Int
    }

    /// The lexical state at the end of a line.
    struct LineState {
        var brackets = 0
        var quote: (char: Character, triple: Bool)?
        var continuation = false
        /// The line, with strings and comments blanked, for keyword checks.
        var code = ""
    }

    /// Scans one physical line, continuing from `state`.
    static func scan(_ line: Substring, _ state: inout LineState) {
        var code = ""
        var chars = Array(line)
        var i = 0
        state.continuation = false
        if chars.last == "\r" { chars.removeLast() }
        while i < chars.count {
            let c = chars[i]
            if let q = state.quote {
                if c == "\\" {
                    i += 2
                    if i > chars.count { state.continuation = !q.triple }
                    continue
                }
                if c == q.char {
                    if q.triple {
                        if i + 2 < chars.count && chars[i + 1] == c && chars[i + 2] == c {
                            state.quote = nil
                            i += 3
                            code += "\"\""
                            continue
                        }
                    } else {
                        state.quote = nil
                        code += "\"\""
                    }
                }
                i += 1
                continue
            }
            switch c {
            case "#":
                i = chars.count
                continue
            case "\"", "'":
                let triple = i + 2 < chars.count && chars[i + 1] == c && chars[i + 2] == c
                state.quote = (c, triple)
                i += triple ? 3 : 1
                continue
            case "(", "[", "{": state.brackets += 1
            case ")", "]", "}": state.brackets = max(0, state.brackets - 1)
            case "\\" where i == chars.count - 1: state.continuation = true
            default: break
            }
            code.append(c)
            i += 1
        }
        // A single-quoted string cannot span lines (the parser reports it).
        if let q = state.quote, !q.triple, !state.continuation { state.quote = nil }
        state.code = code
    }

    static let continuationKeywords = ["else", "elif", "except", "finally"]

    static func startsWithKeyword(_ code: Substring, _ words: [String]) -> Bool {
        for w in words where code.hasPrefix(w) {
            let rest = code.dropFirst(w.count)
            if rest.isEmpty || rest.first == ":" || rest.first == " " || rest.first == "\t" || rest.first == "(" { return true }
        }
        return false
    }

    /// Whether a top-level line is a magic command (`%push ...`) or help request (`x?`).
    public static func isMagicLine(_ line: Substring) -> Bool {
        let t = line.drop { $0 == " " || $0 == "\t" }
        if t.hasPrefix("%") { return true }
        var trimmed = Substring(t.trimmingTrailingSpace())
        guard trimmed.hasSuffix("?") else { return false }
        trimmed = trimmed.dropLast()
        if trimmed.hasSuffix("?") { trimmed = trimmed.dropLast() }
        return !trimmed.isEmpty && trimmed.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }
    }

    /// The top-level statements of `source`.
    public static func split(_ source: String) -> [Chunk] {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        var chunks: [Chunk] = []
        var current: [Substring] = []
        var currentFirst = 1
        var state = LineState()
        var pendingDecorator = false
        func flush(upTo last: Int) {
            // Drop trailing blank lines from the chunk.
            while let l = current.last, l.trimmingTrailingSpace().isEmpty || l.drop(while: { $0 == " " || $0 == "\t" }).hasPrefix("#") {
                current.removeLast()
            }
            guard !current.isEmpty else { return }
            chunks.append(
                Chunk(
                    kind: .python, text: current.joined(separator: "\n"), firstLine: currentFirst,
                    lastLine: currentFirst + current.count - 1))
            current = []
        }
        for (index, line) in lines.enumerated() {
            let number = index + 1
            let inside = state.brackets > 0 || state.quote != nil || state.continuation
            if !inside {
                let stripped = line.drop { $0 == " " || $0 == "\t" }
                let blank = stripped.isEmpty || stripped.hasPrefix("#") || stripped.trimmingTrailingSpace().isEmpty
                let indented = !blank && stripped.count != line.count
                if !blank && !indented {
                    if isMagicLine(line) && !pendingDecorator {
                        flush(upTo: number - 1)
                        chunks.append(Chunk(kind: .magic, text: String(line.trimmingTrailingSpace()), firstLine: number, lastLine: number))
                        continue
                    }
                    var probe = LineState()
                    scan(line, &probe)
                    let code = Substring(probe.code)
                    let continues = startsWithKeyword(code, continuationKeywords)
                    if !continues && !pendingDecorator {
                        flush(upTo: number - 1)
                        currentFirst = number
                    }
                    pendingDecorator = code.hasPrefix("@")
                }
                if current.isEmpty && blank { continue }
            }
            if current.isEmpty { currentFirst = number }
            current.append(line)
            scan(line, &state)
        }
        flush(upTo: lines.count)
        return chunks
    }

    /// Whether an interactive entry is unfinished: an open bracket, string or `\`, or a compound
    /// statement (a line ending with `:`, a decorator) not yet closed by a blank line.
    public static func needsMoreInput(_ buffer: String) -> Bool {
        let lines = buffer.split(separator: "\n", omittingEmptySubsequences: false)
        var state = LineState()
        var compound = false
        for line in lines {
            let wasInside = state.brackets > 0 || state.quote != nil || state.continuation
            scan(line, &state)
            if !wasInside {
                let code = state.code.trimmingTrailingSpace()
                if isMagicLine(line) && !compound { continue }
                if code.hasSuffix(":") || code.drop(while: { $0 == " " }).hasPrefix("@") { compound = true }
            }
        }
        if state.brackets > 0 || state.quote != nil || state.continuation { return true }
        guard compound else { return false }
        return !(lines.last.map { $0.trimmingTrailingSpace().isEmpty } ?? true) || lines.count < 2
    }
}

extension StatementSplitter {
    /// The indentation to put on the next line of an unfinished interactive entry, as Python
    /// REPLs with auto-indent do: four more spaces after a line ending in `:`, four fewer after
    /// `return`, `pass`, `break`, `continue` or `raise`, the same otherwise; nothing inside a
    /// triple-quoted string.
    public static func indentation(after buffer: String) -> String {
        let lines = buffer.split(separator: "\n", omittingEmptySubsequences: false)
        guard let last = lines.last else { return "" }
        var state = LineState()
        var lastCode = ""
        var lastStartedInside = false
        for line in lines {
            lastStartedInside = state.brackets > 0 || state.quote != nil || state.continuation
            scan(line, &state)
            lastCode = state.code
        }
        if state.quote != nil { return "" }
        let indent = String(last.prefix { $0 == " " || $0 == "\t" })
        if state.brackets > 0 || state.continuation || lastStartedInside { return indent }
        let code = lastCode.trimmingTrailingSpace().drop { $0 == " " || $0 == "\t" }
        if code.hasSuffix(":") { return indent + "    " }
        if startsWithKeyword(code, ["return", "pass", "break", "continue", "raise"]) {
            return indent.hasSuffix("    ") ? String(indent.dropLast(4)) : ""
        }
        return indent
    }
}

extension StringProtocol {
    func trimmingTrailingSpace() -> SubSequence {
        var end = endIndex
        while end > startIndex {
            let prev = index(before: end)
            if self[prev] == " " || self[prev] == "\t" || self[prev] == "\r" { end = prev } else { break }
        }
        return self[startIndex..<end]
    }
}
