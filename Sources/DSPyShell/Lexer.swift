/// A position in shell source, 1-based.
public struct SourcePosition: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var description: String { "\(line):\(column)" }
}

/// An error in shell source, with where it happened.
public struct ShellSyntaxError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public let position: SourcePosition
    public var description: String { "\(position): \(message)" }
}

enum TokenKind: Equatable, Sendable {
    case name(String)
    case int(Int)
    case float(Double)
    case string(String)
    case op(String)
    case magic(String)       // a whole `%...` line, without the `%`
    case newline
    case indent
    case dedent
    case end
}

struct Token: Sendable {
    let kind: TokenKind
    let position: SourcePosition
}

/// Splits shell source into tokens, Python style: indentation becomes INDENT/DEDENT, newlines
/// inside brackets are ignored, `#` starts a comment, a line starting with `%` is a magic.
struct Lexer {
    private let chars: [Character]
    private var i = 0
    private var line = 1
    private var column = 1
    private var depth = 0
    private var indents = [0]
    private var atLineStart = true
    private(set) var tokens: [Token] = []

    static let operators: [String] = ["**", "//", "==", "!=", "<=", ">=", "->", "(", ")", "[", "]", "{", "}", ",", ":", ".", "=", "+", "-", "*", "/", "%", "<", ">", ";"]

    init(_ source: String) { chars = Array(source) }

    static func tokenize(_ source: String) throws -> [Token] {
        var lexer = Lexer(source)
        try lexer.run()
        return lexer.tokens
    }

    private var position: SourcePosition { SourcePosition(line: line, column: column) }

    private mutating func advance() -> Character {
        let c = chars[i]
        i += 1
        if c == "\n" { line += 1; column = 1 } else { column += 1 }
        return c
    }

    private func peek(_ offset: Int = 0) -> Character? { i + offset < chars.count ? chars[i + offset] : nil }

    private mutating func emit(_ kind: TokenKind, at p: SourcePosition) { tokens.append(Token(kind: kind, position: p)) }

    mutating func run() throws {
        while i < chars.count {
            if atLineStart && depth == 0 {
                try lineStart()
                continue
            }
            let c = chars[i]
            let p = position
            switch c {
            case " ", "\t", "\r":
                _ = advance()
            case "\\" where peek(1) == "\n":
                _ = advance(); _ = advance()
            case "#":
                while let ch = peek(), ch != "\n" { _ = advance() }
            case "\n":
                _ = advance()
                if depth == 0 {
                    if let last = tokens.last, last.kind != .newline { emit(.newline, at: p) }
                    atLineStart = true
                }
            case "\"", "'":
                emit(.string(try string()), at: p)
            case _ where c.isNumber || (c == "." && (peek(1)?.isNumber ?? false)):
                emit(try number(), at: p)
            case _ where c.isLetter || c == "_":
                var s = ""
                while let ch = peek(), ch.isLetter || ch.isNumber || ch == "_" { s.append(advance()) }
                emit(.name(s), at: p)
            default:
                guard let op = Lexer.operators.first(where: { matches($0) }) else {
                    throw ShellSyntaxError(message: "unexpected character '\(c)'", position: p)
                }
                for _ in op { _ = advance() }
                if "([{".contains(op) { depth += 1 }
                if ")]}".contains(op) {
                    guard depth > 0 else { throw ShellSyntaxError(message: "unmatched '\(op)'", position: p) }
                    depth -= 1
                }
                emit(.op(op), at: p)
            }
        }
        if depth > 0 { throw ShellSyntaxError(message: "unexpected end of input: a bracket is not closed", position: position) }
        if let last = tokens.last, last.kind != .newline { emit(.newline, at: position) }
        while indents.count > 1 { indents.removeLast(); emit(.dedent, at: position) }
        emit(.end, at: position)
    }

    private func matches(_ op: String) -> Bool {
        for (k, ch) in op.enumerated() where peek(k) != ch { return false }
        return true
    }

    /// Measures indentation, skips blank and comment-only lines, and recognises magics.
    private mutating func lineStart() throws {
        var width = 0
        let start = i
        while let c = peek(), c == " " || c == "\t" { width += c == "\t" ? 8 - width % 8 : 1; _ = advance() }
        guard let c = peek() else { return }
        if c == "\n" || c == "#" || c == "\r" {
            while let ch = peek(), ch != "\n" { _ = advance() }
            if peek() == "\n" { _ = advance() }
            return
        }
        _ = start
        atLineStart = false
        let p = position
        if width > indents[indents.count - 1] {
            indents.append(width)
            emit(.indent, at: p)
        } else {
            while width < indents[indents.count - 1] {
                indents.removeLast()
                emit(.dedent, at: p)
            }
            if width != indents[indents.count - 1] {
                throw ShellSyntaxError(message: "unindent does not match any outer indentation level", position: p)
            }
        }
        if c == "%" {
            _ = advance()
            var s = ""
            while let ch = peek(), ch != "\n" { s.append(advance()) }
            emit(.magic(s.trimmingCharacters()), at: p)
        }
    }

    private mutating func string() throws -> String {
        let p = position
        let quote = advance()
        var triple = false
        if peek() == quote && peek(1) == quote {
            _ = advance(); _ = advance()
            triple = true
        }
        var s = ""
        while true {
            guard let c = peek() else {
                throw ShellSyntaxError(message: triple ? "unterminated triple-quoted string" : "unterminated string", position: p)
            }
            if triple {
                if c == quote && peek(1) == quote && peek(2) == quote {
                    _ = advance(); _ = advance(); _ = advance()
                    return s
                }
            } else if c == quote {
                _ = advance()
                return s
            } else if c == "\n" {
                throw ShellSyntaxError(message: "unterminated string (use triple quotes for text over several lines)", position: p)
            }
            if c == "\\" {
                _ = advance()
                guard let e = peek() else { continue }
                _ = advance()
                switch e {
                case "n": s.append("\n")
                case "t": s.append("\t")
                case "r": s.append("\r")
                case "0": s.append("\0")
                case "\\", "'", "\"": s.append(e)
                case "\n": break
                default: s.append("\\"); s.append(e)
                }
                continue
            }
            s.append(advance())
        }
    }

    private mutating func number() throws -> TokenKind {
        let p = position
        var s = ""
        var isFloat = false
        while let c = peek() {
            if c.isNumber || c == "_" {
                if c != "_" { s.append(c) }
                _ = advance()
            } else if c == "." && !isFloat && (peek(1).map { $0.isNumber } ?? true) && !(peek(1)?.isLetter ?? false) {
                isFloat = true
                s.append(advance())
            } else if (c == "e" || c == "E") && (peek(1)?.isNumber ?? false || ((peek(1) == "-" || peek(1) == "+") && (peek(2)?.isNumber ?? false))) {
                isFloat = true
                s.append(advance())
                if let sign = peek(), sign == "-" || sign == "+" { s.append(advance()) }
            } else {
                break
            }
        }
        if !isFloat, let v = Int(s) { return .int(v) }
        if let d = Double(s) { return .float(d) }
        throw ShellSyntaxError(message: "invalid number '\(s)'", position: p)
    }
}

extension String {
    func trimmingCharacters() -> String {
        guard let start = firstIndex(where: { !$0.isWhitespace }), let end = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[start...end])
    }
}

/// Whether an interactive buffer is a complete statement or needs more lines: open brackets
/// and strings continue; a line ending in `:` opens a block that a blank line closes.
public enum InputCompleteness {
    public static func needsMore(_ buffer: String) -> Bool {
        let lines = buffer.split(separator: "\n", omittingEmptySubsequences: false)
        if let first = lines.first, first.trimmingCharacters(in: " \t").hasPrefix("%") && lines.count == 1 { return false }
        do {
            _ = try Lexer.tokenize(buffer)
        } catch let e as ShellSyntaxError {
            if e.message.hasPrefix("unexpected end of input") || e.message.hasPrefix("unterminated triple") { return true }
            return false
        } catch {
            return false
        }
        let opensBlock = lines.contains { line in
            let t = line.split(separator: "#", maxSplits: 1).first.map(String.init)?.trimmingCharacters() ?? ""
            return t.hasSuffix(":") && !t.hasPrefix("%")
        }
        if opensBlock {
            return !(lines.last.map { $0.trimmingCharacters(in: " \t").isEmpty } ?? true) || lines.count < 2
        }
        return false
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var s = self
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
