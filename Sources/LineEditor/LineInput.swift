/// What one prompt read produced.
public enum LineInput: Sendable, Equatable {
    /// A line, without its newline.
    case line(String)
    /// Ctrl-C at the prompt: the line was discarded.
    case interrupted
    /// Ctrl-D on an empty line, or the end of piped input.
    case endOfInput
}

/// Tab-completion candidates for the word that ends at the cursor.
public struct Completion: Sendable, Equatable {
    /// How many characters before the cursor the candidates replace.
    public var replacing: Int
    /// Full replacement texts for those characters.
    public var candidates: [String]

    public init(replacing: Int, candidates: [String]) {
        self.replacing = replacing
        self.candidates = candidates
    }
}
