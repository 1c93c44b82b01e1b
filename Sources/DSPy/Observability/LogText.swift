/// Log messages are one line each (a shell prints each as `warning: ...`), so every message the
/// library logs goes through ``oneLine(_:)``.
enum LogText {
    /// `text` on one line: its lines trimmed and joined with a space, a `hint:` line joined
    /// with ` — ` so it still reads as the advice it is.
    static func oneLine(_ text: String) -> String {
        var out = ""
        for raw in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
            let line = raw.trimmingWhitespace()
            if line.isEmpty { continue }
            if !out.isEmpty { out += line.hasPrefix("hint:") ? " — " : " " }
            out += line
        }
        return out
    }

    /// `text` followed by DSPy's `. suffix` sentence, without doubling the full stop or
    /// putting one after a question or exclamation mark.
    static func sentence(_ text: String, then suffix: String) -> String {
        let line = oneLine(text)
        guard let last = line.last else { return suffix }
        return line + (".?!".contains(last) ? " " : ". ") + suffix
    }
}
