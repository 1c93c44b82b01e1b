/// Follows one output field through an LM reply that arrives in pieces, and cuts the field's
/// text out of it: after ChatAdapter's `[[ ## field ## ]]` marker up to the next `[[ ## `
/// marker, or JSONAdapter's `"field":` value (a string's contents are unescaped). Text that
/// might be the start of the next marker, and whitespace that might turn out to be trailing,
/// is held back until the next piece settles it, so the chunks concatenate to exactly the
/// value the adapter parses.
struct FieldStreamMatcher: Sendable {
    enum Phase: Sendable { case seeking, inField, done }

    let field: String
    let json: Bool
    private(set) var phase = Phase.seeking
    /// Seeking: the recent text that may hold the start marker. In a Chat field: held-back text.
    private var buffer = ""
    private var emittedAny = false
    private var scanner: JSONValueScanner?

    init(field: String, json: Bool) {
        self.field = field
        self.json = json
    }

    private var startMarker: String { json ? "\"\(field)\"" : "[[ ## \(field) ## ]]" }
    private static let nextMarker = "[[ ## "

    /// Takes the next piece of the reply; returns the field's chunks it completed (text, and
    /// whether it is the field's last chunk).
    mutating func feed(_ text: String) -> [(String, Bool)] {
        switch phase {
        case .done: return []
        case .inField: return json ? feedJSON(text) : feedChat(text)
        case .seeking:
            buffer += text
            guard let rest = findStart() else { return [] }
            phase = .inField
            buffer = ""
            if json { scanner = JSONValueScanner() }
            return json ? feedJSON(rest) : feedChat(rest)
        }
    }

    /// The reply ended: a field still open ends here.
    mutating func finish() -> [(String, Bool)] {
        guard phase == .inField else { phase = .done; return [] }
        phase = .done
        if json {
            let tail = scanner?.finish() ?? ""
            return [(tail, true)]
        }
        var tail = buffer
        if !emittedAny { tail = String(tail.drop { $0.isWhitespace }) }
        buffer = ""
        return [(String(tail.trimmingTrailingWhitespace()), true)]
    }

    /// Finds the start marker in `buffer`; returns the text after it, or nil (then `buffer`
    /// keeps only a tail that may still begin the marker).
    private mutating func findStart() -> String? {
        let marker = startMarker
        var searchFrom = buffer.startIndex
        while let r = buffer.range(of: marker, range: searchFrom..<buffer.endIndex) {
            if !json { return String(buffer[r.upperBound...]) }
            // JSON: the key counts only when a ":" follows (after optional spaces).
            let after = buffer[r.upperBound...].drop { $0.isWhitespace }
            if after.isEmpty {
                buffer = String(buffer[r.lowerBound...])  // undecided: wait for more
                return nil
            }
            if after.first == ":" { return String(after.dropFirst()) }
            searchFrom = r.upperBound
        }
        let keep = marker.count - 1
        if buffer.count > keep { buffer = String(buffer.suffix(keep)) }
        return nil
    }

    private mutating func feedChat(_ text: String) -> [(String, Bool)] {
        buffer += text
        if !emittedAny { buffer = String(buffer.drop { $0.isWhitespace }) }
        if let end = buffer.range(of: Self.nextMarker) {
            let value = String(buffer[..<end.lowerBound].trimmingTrailingWhitespace())
            buffer = ""
            phase = .done
            return [(value, true)]
        }
        // Hold back a suffix that may begin the next marker, and the whitespace before it.
        var cut = buffer.endIndex
        let marker = Self.nextMarker
        for length in stride(from: min(marker.count - 1, buffer.count), through: 1, by: -1) {
            let start = buffer.index(buffer.endIndex, offsetBy: -length)
            if marker.hasPrefix(buffer[start...]) { cut = start; break }
        }
        while cut > buffer.startIndex {
            let before = buffer.index(before: cut)
            guard buffer[before].isWhitespace else { break }
            cut = before
        }
        guard cut > buffer.startIndex else { return [] }
        let out = String(buffer[..<cut])
        buffer = String(buffer[cut...])
        emittedAny = true
        return [(out, false)]
    }

    private mutating func feedJSON(_ text: String) -> [(String, Bool)] {
        guard var current = scanner else { return [] }
        let (out, ended) = current.feed(text)
        scanner = current
        if ended {
            phase = .done
            return [(out, true)]
        }
        return out.isEmpty ? [] : [(out, false)]
    }
}

/// Reads one JSON value as it streams in, right after its key's `:`. A string is unescaped;
/// any other value (number, list, object, literal) is passed through as written. The value ends
/// at a string's closing quote, or at a `,` `}` `]` outside brackets and strings.
struct JSONValueScanner: Sendable {
    private enum Mode: Sendable { case start, string, raw }
    private var mode = Mode.start
    /// Undecoded text (an escape sequence split between pieces).
    private var pending: [Unicode.Scalar] = []
    private var highSurrogate: UInt32?
    /// Raw mode: bracket depth, string state, and whitespace held back as maybe trailing.
    private var depth = 0
    private var inString = false
    private var escaped = false
    private var heldSpace = ""

    /// Returns the decoded text of `text` and whether the value ended in it.
    mutating func feed(_ text: String) -> (String, Bool) {
        var out = String.UnicodeScalarView()
        pending += text.unicodeScalars
        var i = 0
        defer { pending.removeFirst(min(i, pending.count)) }
        while i < pending.count {
            let c = pending[i]
            switch mode {
            case .start:
                if c.properties.isWhitespace { i += 1; continue }
                if c == "\"" { mode = .string; i += 1; continue }
                mode = .raw
            case .string:
                if c == "\"" { i += 1; return (String(out), true) }
                if c != "\\" { out.append(c); i += 1; continue }
                guard i + 1 < pending.count else { return (String(out), false) }  // escape split: wait
                let e = pending[i + 1]
                switch e {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "b": out.append("\u{08}")
                case "f": out.append("\u{0C}")
                case "u":
                    guard i + 6 <= pending.count else { return (String(out), false) }
                    let hex = String(String.UnicodeScalarView(pending[(i + 2)..<(i + 6)]))
                    guard let code = UInt32(hex, radix: 16) else { out.append(e); i += 2; continue }
                    i += 6
                    if (0xD800...0xDBFF).contains(code) { highSurrogate = code; continue }
                    if (0xDC00...0xDFFF).contains(code), let high = highSurrogate {
                        highSurrogate = nil
                        let scalar = 0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00)
                        if let s = Unicode.Scalar(scalar) { out.append(s) }
                        continue
                    }
                    highSurrogate = nil
                    if let s = Unicode.Scalar(code) { out.append(s) }
                    continue
                default: out.append(e)  // \" \\ \/ and anything unknown
                }
                i += 2
            case .raw:
                if inString {
                    if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
                } else if c == "\"" {
                    inString = true
                } else if c == "[" || c == "{" {
                    depth += 1
                } else if (c == "]" || c == "}") && depth > 0 {
                    depth -= 1
                } else if depth == 0 && (c == "," || c == "}" || c == "]") {
                    i += 1
                    heldSpace = ""
                    return (String(out), true)
                }
                if !inString && c.properties.isWhitespace {
                    heldSpace.unicodeScalars.append(c)
                } else {
                    out.append(contentsOf: heldSpace.unicodeScalars)
                    heldSpace = ""
                    out.append(c)
                }
                i += 1
            }
        }
        return (String(out), false)
    }

    /// The reply ended inside the value: whatever decoded text is left.
    mutating func finish() -> String {
        heldSpace = ""
        return ""
    }
}

extension StringProtocol {
    func trimmingTrailingWhitespace() -> SubSequence {
        var end = endIndex
        while end > startIndex {
            let before = index(before: end)
            guard self[before].isWhitespace else { break }
            end = before
        }
        return self[..<end]
    }
}
