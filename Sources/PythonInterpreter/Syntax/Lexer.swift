/// Turns Python source into tokens, with INDENT/DEDENT and implicit line joining inside
/// brackets, as CPython's tokenizer does. Errors carry CPython's messages.
public struct Lexer {
    /// CPython's limits: nested brackets (`MAXLEVEL`) and indentation levels (`MAXINDENT`).
    public static let maxBracketDepth = 200
    public static let maxIndentDepth = 100

    let scalars: [Unicode.Scalar]
    var index = 0
    var line = 1
    var lineStart = 0
    var tokens: [Token] = []
    var indents: [Int] = [0]
    var brackets: [(char: Unicode.Scalar, position: SourcePosition)] = []
    var atLineStart = true
    /// Set when the source ends inside a bracket, string or after `\` (interactive input
    /// needs more lines rather than an error).
    public private(set) var endedIncomplete = false

    public init(_ source: String, startLine: Int = 1) {
        scalars = Array(source.unicodeScalars)
        line = startLine
    }

    /// Tokenizes the whole source.
    public static func tokenize(_ source: String) throws -> [Token] {
        var lexer = Lexer(source)
        return try lexer.run()
    }

    var position: SourcePosition { SourcePosition(line: line, column: index - lineStart + 1) }

    func position(at offset: Int) -> SourcePosition { SourcePosition(line: line, column: offset - lineStart + 1) }

    func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        let i = index + ahead
        return i < scalars.count ? scalars[i] : nil
    }

    mutating func add(_ kind: Token.Kind, from start: Int, startPosition: SourcePosition, text: String? = nil) {
        let t = text ?? String(String.UnicodeScalarView(scalars[start..<index]))
        tokens.append(Token(kind: kind, text: t, start: startPosition, end: position, startOffset: start, endOffset: index))
    }

    public mutating func run() throws -> [Token] {
        while true {
            if atLineStart && brackets.isEmpty {
                if try !handleIndentation() { break }
            }
            guard let c = peek() else { break }
            let start = index
            let startPosition = position
            switch c {
            case " ", "\t", "\u{0C}":
                index += 1
            case "#":
                while let d = peek(), d != "\n", d != "\r" { index += 1 }
            case "\n", "\r":
                if c == "\r" && peek(1) == "\n" { index += 1 }
                index += 1
                if brackets.isEmpty {
                    tokens.append(
                        Token(
                            kind: .newline, text: "\n", start: startPosition, end: startPosition,
                            startOffset: start, endOffset: index))
                    atLineStart = true
                }
                line += 1
                lineStart = index
            case "\\":
                index += 1
                if peek() == "\r" { index += 1 }
                guard let n = peek(), n == "\n" else {
                    if peek() == nil { endedIncomplete = true; throw PythonSyntaxError("unexpected EOF while parsing", at: startPosition) }
                    throw PythonSyntaxError("unexpected character after line continuation character", at: startPosition)
                }
                index += 1
                line += 1
                lineStart = index
                if peek() == nil { endedIncomplete = true; throw PythonSyntaxError("unexpected EOF while parsing", at: position) }
            case "\"", "'":
                try lexString(prefixStart: start, startPosition: startPosition)
            case "0"..."9":
                try lexNumber(start: start, startPosition: startPosition)
            case ".":
                if let d = peek(1), ("0"..."9").contains(d) {
                    try lexNumber(start: start, startPosition: startPosition)
                } else if peek(1) == ".", peek(2) == "." {
                    index += 3
                    add(.op, from: start, startPosition: startPosition)
                } else {
                    index += 1
                    add(.op, from: start, startPosition: startPosition)
                }
            default:
                if Lexer.isIdentifierStart(c) {
                    while let d = peek(), Lexer.isIdentifierContinue(d) { index += 1 }
                    // String prefixes: r, b, f, u and their combinations.
                    if let q = peek(), q == "\"" || q == "'" {
                        let word = String(String.UnicodeScalarView(scalars[start..<index])).lowercased()
                        if ["r", "u", "f", "b", "rb", "br", "fr", "rf"].contains(word) {
                            try lexString(prefixStart: start, startPosition: startPosition)
                            continue
                        }
                    }
                    add(.name, from: start, startPosition: startPosition)
                } else {
                    try lexOperator(c, start: start, startPosition: startPosition)
                }
            }
        }
        if let open = brackets.last {
            endedIncomplete = true
            throw PythonSyntaxError("'\(open.char)' was never closed", at: open.position)
        }
        let endPosition = position
        if let last = tokens.last, last.kind != .newline, last.kind != .dedent, last.kind != .indent {
            tokens.append(Token(kind: .newline, text: "", start: endPosition, end: endPosition, startOffset: index, endOffset: index))
        }
        while indents.count > 1 {
            indents.removeLast()
            tokens.append(Token(kind: .dedent, text: "", start: endPosition, end: endPosition, startOffset: index, endOffset: index))
        }
        tokens.append(Token(kind: .end, text: "", start: endPosition, end: endPosition, startOffset: index, endOffset: index))
        return tokens
    }

    /// Measures the indentation of a new logical line and emits INDENT/DEDENT. Returns false at
    /// the end of the input.
    mutating func handleIndentation() throws -> Bool {
        while true {
            var column = 0
            let start = index
            while let c = peek(), c == " " || c == "\t" || c == "\u{0C}" {
                if c == "\t" { column = (column / 8 + 1) * 8 } else if c == " " { column += 1 } else { column = 0 }
                index += 1
            }
            guard let c = peek() else { return false }
            if c == "#" || c == "\n" || c == "\r" {
                // A blank or comment-only line: no indentation change.
                while let d = peek(), d != "\n", d != "\r" { index += 1 }
                guard peek() != nil else { return false }
                if peek() == "\r" { index += 1 }
                if peek() == "\n" { index += 1 }
                line += 1
                lineStart = index
                if peek() == nil { return false }
                continue
            }
            if c == "\\" && (peek(1) == "\n" || (peek(1) == "\r" && peek(2) == "\n")) {
                // A continuation right at the start: indentation is taken from this line.
            }
            atLineStart = false
            let here = position
            if column > indents[indents.count - 1] {
                guard indents.count <= Lexer.maxIndentDepth else {
                    throw PythonSyntaxError("too many levels of indentation", at: here, kind: "IndentationError")
                }
                // A first token that is not at the start of a statement is reported by the parser.
                indents.append(column)
                tokens.append(
                    Token(
                        kind: .indent, text: "", start: SourcePosition(line: line, column: 1), end: here,
                        startOffset: start, endOffset: index))
            } else {
                while column < indents[indents.count - 1] {
                    indents.removeLast()
                    tokens.append(Token(kind: .dedent, text: "", start: here, end: here, startOffset: index, endOffset: index))
                }
                if column != indents[indents.count - 1] {
                    throw PythonSyntaxError("unindent does not match any outer indentation level", at: here, kind: "IndentationError")
                }
            }
            return true
        }
    }

    public static func isIdentifierStart(_ c: Unicode.Scalar) -> Bool {
        if c.isASCII { return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_" }
        return c.properties.isXIDStart
    }

    public static func isIdentifierContinue(_ c: Unicode.Scalar) -> Bool {
        if c.isASCII { return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_" || (c >= "0" && c <= "9") }
        return c.properties.isXIDContinue
    }

    static let threeCharOps: Set<String> = ["**=", "//=", ">>=", "<<=", "...", "!=="]
    static let twoCharOps: Set<String> = [
        "**", "//", "<<", ">>", "<=", ">=", "==", "!=", "->", "+=", "-=", "*=", "/=",
        "%=", "&=", "|=", "^=", "@=", ":=",
    ]
    static let oneCharOps: Set<Unicode.Scalar> = [
        "+", "-", "*", "/", "%", "@", "&", "|", "^", "~", "<", ">", "(", ")",
        "[", "]", "{", "}", ",", ":", ";", ".", "=", "!",
    ]

    mutating func lexOperator(_ c: Unicode.Scalar, start: Int, startPosition: SourcePosition) throws {
        func text(_ n: Int) -> String? {
            guard index + n <= scalars.count else { return nil }
            return String(String.UnicodeScalarView(scalars[index..<(index + n)]))
        }
        if let t = text(3), t != "!==", Lexer.threeCharOps.contains(t) {
            index += 3
        } else if let t = text(2), Lexer.twoCharOps.contains(t) {
            index += 2
        } else if Lexer.oneCharOps.contains(c) {
            switch c {
            case "(", "[", "{":
                guard brackets.count < Lexer.maxBracketDepth else {
                    throw PythonSyntaxError("too many nested parentheses", at: startPosition)
                }
                brackets.append((c, startPosition))
            case ")", "]", "}":
                guard let open = brackets.popLast() else {
                    throw PythonSyntaxError("unmatched '\(c)'", at: startPosition)
                }
                let expected: Unicode.Scalar = open.char == "(" ? ")" : open.char == "[" ? "]" : "}"
                if c != expected {
                    if open.position.line != startPosition.line {
                        throw PythonSyntaxError(
                            "closing parenthesis '\(c)' does not match opening parenthesis '\(open.char)' on line \(open.position.line)",
                            at: startPosition)
                    }
                    throw PythonSyntaxError("closing parenthesis '\(c)' does not match opening parenthesis '\(open.char)'", at: startPosition)
                }
            case "!":
                throw PythonSyntaxError("invalid syntax", at: startPosition)
            default: break
            }
            index += 1
        } else {
            let hex = String(c.value, radix: 16, uppercase: true)
            let padded = String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            if c == "$" || c == "?" || c == "`" {
                throw PythonSyntaxError("invalid syntax", at: startPosition)
            }
            throw PythonSyntaxError("invalid character '\(Character(c))' (U+\(padded))", at: startPosition)
        }
        add(.op, from: start, startPosition: startPosition)
    }

    mutating func lexNumber(start: Int, startPosition: SourcePosition) throws {
        func digits(_ valid: (Unicode.Scalar) -> Bool) {
            while let d = peek(), valid(d) || (d == "_" && peek(1).map(valid) == true) { index += 1 }
        }
        let isDec: (Unicode.Scalar) -> Bool = { ("0"..."9").contains($0) }
        if peek() == "0", let p = peek(1), "xXoObB".unicodeScalars.contains(p) {
            index += 2
            let valid: (Unicode.Scalar) -> Bool
            switch p {
            case "x", "X": valid = { $0.properties.isASCIIHexDigit }
            case "o", "O": valid = { ("0"..."7").contains($0) }
            default: valid = { $0 == "0" || $0 == "1" }
            }
            if peek() == "_" { index += 1 }
            digits(valid)
        } else {
            digits(isDec)
            if peek() == ".", !(peek(1) == "." && peek(2) == ".") {
                index += 1
                digits(isDec)
            }
            if let e = peek(), e == "e" || e == "E" {
                let save = index
                index += 1
                if let s = peek(), s == "+" || s == "-" { index += 1 }
                if let d = peek(), isDec(d) { digits(isDec) } else { index = save }
            }
            if let j = peek(), j == "j" || j == "J" { index += 1 }
        }
        if let d = peek(), Lexer.isIdentifierContinue(d) {
            throw PythonSyntaxError("invalid decimal literal", at: startPosition)
        }
        add(.number, from: start, startPosition: startPosition)
    }

    mutating func lexString(prefixStart: Int, startPosition: SourcePosition) throws {
        guard let quote = peek() else { return }
        let triple = peek(1) == quote && peek(2) == quote
        index += triple ? 3 : 1
        let raw = String(String.UnicodeScalarView(scalars[prefixStart..<index])).lowercased().contains("r")
        let startLine = line
        while true {
            guard let c = peek() else {
                endedIncomplete = true
                if triple {
                    throw PythonSyntaxError("unterminated triple-quoted string literal (detected at line \(line))", at: startPosition)
                }
                throw PythonSyntaxError("unterminated string literal (detected at line \(line))", at: startPosition)
            }
            if c == "\\" {
                index += 1
                if let n = peek() {
                    if n == "\n" || n == "\r" {
                        if n == "\r" && peek(1) == "\n" { index += 1 }
                        index += 1
                        line += 1
                        lineStart = index
                        continue
                    }
                    index += 1
                }
                _ = raw
                continue
            }
            if c == "\n" || c == "\r" {
                if !triple {
                    throw PythonSyntaxError("unterminated string literal (detected at line \(startLine))", at: startPosition)
                }
                if c == "\r" && peek(1) == "\n" { index += 1 }
                index += 1
                line += 1
                lineStart = index
                continue
            }
            if c == quote {
                if triple {
                    if peek(1) == quote && peek(2) == quote {
                        index += 3
                        break
                    }
                    index += 1
                    continue
                }
                index += 1
                break
            }
            index += 1
        }
        let text = String(String.UnicodeScalarView(scalars[prefixStart..<index]))
        tokens.append(Token(kind: .string, text: text, start: startPosition, end: position, startOffset: prefixStart, endOffset: index))
    }
}
