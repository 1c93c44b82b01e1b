import DSPy
import PythonInterpreter

/// Library errors in the shell's words: Python spellings for the library's Swift names, DSPy's
/// own wording where DSPy has one, and a parse failure in one line.
enum ErrorWording {
    /// The library's Swift spellings in messages and hints, and what a Python user types instead.
    /// Longer entries first, so that a phrase wins over the name inside it.
    static let pythonSpellings: [(swift: String, python: String)] = [
        ("pass apiKey: to LM(...)", "pass api_key=env(\"NAME\") to LM(...)"),
        ("try configure(lm: LM(\"openai/gpt-4o-mini\"))", "configure(lm=LM(\"openai/gpt-4o-mini\"))"),
        ("configure(lm: LM(...))", "configure(lm=LM(...))"),
        (" (maxResponseBytes: in Swift)", ""),
        ("Cassette(recordingTo:)", "--record"),
        ("apiBase:", "api_base="),
        ("apiKey:", "api_key="),
        ("apiBase", "api_base"),
        ("apiKey", "api_key"),
        ("numRetries", "num_retries"),
        ("maxTokens", "max_tokens"),
        ("numThreads", "num_threads"),
        ("maxResponseBytes", "max_response_bytes"),
    ]

    /// `text` with the library's Swift names spelled as the shell spells them.
    static func python(_ text: String) -> String {
        guard text.contains(where: { $0.isUppercase }) else { return text }
        var out = text
        for (swift, python) in pythonSpellings where out.contains(swift) {
            out = out.replacingOccurrences(of: swift, with: python)
        }
        return out
    }

    /// The message a Python exception carries for a library error: DSPy's wording where DSPy
    /// has one, otherwise the library's text in Python spellings.
    static func exceptionMessage(_ error: any Error) -> String {
        if error is ParallelCancelledError { return "Execution cancelled due to errors or interruption." }
        if let e = error as? ModuleError { return e.dspyDescription }
        if error is AdapterParseError { return String(describing: error) }  // DSPy's own text, whole
        return python(String(describing: error))
    }

    /// How much of a reply the one-line parse error quotes.
    static let replyPreview = 80

    /// A reply that could not be parsed, as the shell's one line and its hint (the exception's
    /// message keeps DSPy's whole text for code that catches it).
    static func oneLine(_ e: AdapterParseError) -> (message: String, hint: String) {
        let adapters = e.triedBefore + [e.adapterName]
        let tried = adapters.count > 1 ? adapters.joined(separator: " and ") + " both tried" : adapters[0]
        let missing = e.missingFields
        let what =
            e.message == "The LM returned an empty or null response."
            ? "the LM's reply is empty"
            : "the LM's reply has no \(missing.joined(separator: ", ")) field\(missing.count == 1 ? "" : "s")"
        var preview = String(e.lmResponse.prefix(replyPreview))
        if preview.count < e.lmResponse.count { preview += "…" }
        return (
            "AdapterParseError: \(what) (\(tried)); it begins \(Repr.string(preview))",
            "%inspect shows the whole reply"
        )
    }
}
