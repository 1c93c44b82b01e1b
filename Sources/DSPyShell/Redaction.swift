import Foundation
import PythonInterpreter

/// Keeps secrets out of history, `%save`, `--echo` and job names: every string literal bound
/// to a credential parameter (`api_key="..."`, any `..._key`, `..._token`, `..._secret`) or to
/// an environment variable whose name ends in `_KEY`, `_TOKEN` or `_SECRET`
/// (`os.environ["OPENAI_API_KEY"] = "..."`, `os.environ.setdefault("X_TOKEN", "...")`) is
/// written as `"<redacted>"`. It works on the statement's tokens, so quotes of any kind
/// (triple-quoted too) are handled as the interpreter reads them.
public enum Redaction {
    /// The placeholder's text as a value (what a recalled line would pass as a key).
    public static let placeholderValue = "<redacted>"
    /// The placeholder as it is written in place of a secret literal.
    public static let placeholder = "\"" + placeholderValue + "\""

    /// Whether a parameter or variable name holds a credential.
    public static func isCredentialName(_ name: String) -> Bool {
        let n = name.lowercased()
        return n == "api_key" || n == "apikey" || n == "password" || n.hasSuffix("_key") || n.hasSuffix("_token") || n.hasSuffix("_secret")
    }

    /// Whether an environment variable's value is a secret.
    public static func isSecretName(_ name: String) -> Bool {
        let n = name.uppercased()
        return n.hasSuffix("_KEY") || n.hasSuffix("_TOKEN") || n.hasSuffix("_SECRET") || n == "API_KEY"
    }

    /// The secret environment variable that holds `value`, if one does: such a key is written
    /// as `env("NAME")`, which runs again anywhere that variable is set.
    static func environmentName(holding value: String, in environment: [String: String]) -> String? {
        guard value.count >= 8 else { return nil }
        return environment.filter { isSecretName($0.key) && $0.value == value }.keys.sorted().first
    }

    /// The redacted text, whether anything changed, and the secret values found. A secret that
    /// is the value of a secret environment variable is written `env("NAME")`, any other one
    /// `"<redacted>"`. The environment is the process's unless given; it is read only when
    /// the source holds a secret (most statements hold none).
    public static func redact(_ source: String, environment: [String: String]? = nil) -> (text: String, changed: Bool, secrets: [String]) {
        guard let tokens = try? Lexer.tokenize(source) else { return fallback(source) }
        let scalars = Array(source.unicodeScalars)
        var ranges: [(range: Range<Int>, replacement: String)] = []
        var secrets: [String] = []
        func literal(_ t: Token) -> String? {
            guard t.kind == .string else { return nil }
            return (try? Parser.parseExpression(t.text)).flatMap {
                if case .constant(.string(let s)) = $0.kind { return s }
                return nil
            }
        }
        var i = 0
        while i < tokens.count {
            let t = tokens[i]
            guard t.kind == .string, i >= 2 else { i += 1; continue }
            let before = tokens[i - 1]
            var secret = false
            if before.kind == .op && before.text == "=" {
                let target = tokens[i - 2]
                if target.kind == .name && isCredentialName(target.text) { secret = true }
                if target.kind == .op && target.text == "]", i >= 4, let key = literal(tokens[i - 3]), tokens[i - 4].text == "[", isSecretName(key) {
                    secret = true
                }
            } else if before.kind == .op && before.text == ",", let key = literal(tokens[i - 2]), isSecretName(key), i >= 4,
                tokens[i - 3].text == "(", ["setdefault", "putenv", "env"].contains(tokens[i - 4].text)
            {
                secret = true
            }
            if secret {
                // A literal made of adjacent strings is one value.
                var j = i
                var value = ""
                while j < tokens.count, tokens[j].kind == .string {
                    value += literal(tokens[j]) ?? ""
                    j += 1
                }
                let replacement =
                    environmentName(holding: value, in: environment ?? ProcessInfo.processInfo.environment)
                    .map { "env(\"\($0)\")" } ?? placeholder
                ranges.append((tokens[i].startOffset..<tokens[j - 1].endOffset, replacement))
                if !value.isEmpty { secrets.append(value) }
                i = j
                continue
            }
            i += 1
        }
        guard !ranges.isEmpty else { return (source, false, []) }
        var out = String.UnicodeScalarView()
        var last = 0
        for (r, replacement) in ranges {
            out.append(contentsOf: scalars[last..<r.lowerBound])
            out.append(contentsOf: replacement.unicodeScalars)
            last = r.upperBound
        }
        out.append(contentsOf: scalars[last...])
        return (String(out), true, secrets)
    }

    /// For text that does not tokenize (a syntax error): redact after `api_key=` and similar
    /// by scanning quotes, triple quotes included.
    static func fallback(_ source: String) -> (text: String, changed: Bool, secrets: [String]) {
        let c = Array(source.unicodeScalars)
        var out = String.UnicodeScalarView()
        var secrets: [String] = []
        var i = 0
        var changed = false
        while i < c.count {
            out.append(c[i])
            guard c[i] == "=" else { i += 1; continue }
            // The word before `=` (spaces skipped), read from the source: copying the output at
            // every `=` made this quadratic (seconds for a thousand `=` after a long statement).
            var wordEnd = i
            while wordEnd > 0 && c[wordEnd - 1] == " " { wordEnd -= 1 }
            var wordStart = wordEnd
            while wordStart > 0, Lexer.isIdentifierContinue(c[wordStart - 1]) || "\"'[]".unicodeScalars.contains(c[wordStart - 1]) {
                wordStart -= 1
            }
            var word = ""
            word.unicodeScalars.append(contentsOf: c[wordStart..<wordEnd])
            let name = word.trimmingCharacters(in: CharacterSet(charactersIn: "\"'[]"))
            guard isCredentialName(name) || isSecretName(name) else { i += 1; continue }
            var j = i + 1
            while j < c.count && c[j] == " " { j += 1 }
            guard j < c.count, c[j] == "\"" || c[j] == "'" else { i += 1; continue }
            let q = c[j]
            let triple = j + 2 < c.count && c[j + 1] == q && c[j + 2] == q
            var end = j + (triple ? 3 : 1)
            var value = ""
            while end < c.count {
                if c[end] == "\\" { end += 2; continue }
                if c[end] == q && (!triple || (end + 2 < c.count && c[end + 1] == q && c[end + 2] == q)) { break }
                value.unicodeScalars.append(c[end])
                end += 1
            }
            guard end < c.count else { i += 1; continue }
            out.append(contentsOf: placeholder.unicodeScalars)
            secrets.append(value)
            changed = true
            i = end + (triple ? 3 : 1)
        }
        return (String(out), changed, secrets)
    }

    /// A value's text for display where the key is a credential.
    static func display(_ text: String, key: String) -> String {
        isCredentialName(key) ? placeholder : text
    }
}
