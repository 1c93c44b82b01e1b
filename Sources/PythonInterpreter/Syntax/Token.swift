/// A position in source text: 1-based line and column (columns count Unicode scalars).
public struct SourcePosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (a: SourcePosition, b: SourcePosition) -> Bool {
        (a.line, a.column) < (b.line, b.column)
    }

    public var description: String { "\(line):\(column)" }
}

/// A Python syntax error with CPython's wording and the position it points at.
public struct PythonSyntaxError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public let position: SourcePosition
    /// `IndentationError` or `TabError` instead of `SyntaxError`, as CPython names them.
    public let kind: String

    public init(_ message: String, at position: SourcePosition, kind: String = "SyntaxError") {
        self.message = message
        self.position = position
        self.kind = kind
    }

    public var description: String { "\(kind): \(message)" }
}

/// One lexical token.
public struct Token: Sendable {
    public enum Kind: Sendable, Equatable {
        case name
        case number
        case string
        case op
        case newline
        case indent
        case dedent
        case end
    }

    public let kind: Kind
    /// The token's text: a name, an operator, a number's digits; for strings the source text
    /// of the literal including prefix and quotes.
    public let text: String
    public let start: SourcePosition
    public let end: SourcePosition

    /// The scalar offsets of the token in the source (for re-reading f-string contents).
    public let startOffset: Int
    public let endOffset: Int
}
