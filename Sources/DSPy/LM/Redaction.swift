import Foundation
import OrderedCollections

/// Blanks out credentials wherever they appear: the one place that decides what is a secret and
/// how it is hidden. An ``LM`` scrubs every reply and error of its backend with its redactor
/// before anything stores or shows them (cache, history, cassette, call log, error messages),
/// and the cassette and call log scrub what they write with it too.
///
/// A secret is matched as written and percent-encoded, byte by byte and in any mix (`sk-abc`,
/// `sk%2Dabc`, `%73%6B-abc`), since servers echo keys from URLs and form bodies that way.
struct Redactor: Sendable, Hashable {
    /// What a secret is replaced with.
    static let mark = "<redacted>"
    /// Shorter strings are not treated as secrets: blanking them would mangle ordinary text.
    static let minimumLength = 4

    /// The secrets, longest first (so a key that contains another is hidden whole).
    let secrets: [[UInt8]]
    /// For each byte value, whether a secret can start there: a secret's first byte, or `%`.
    private let startsASecret: [Bool]

    /// A redactor for `secrets` plus the provider keys in the environment (`OPENAI_API_KEY`,
    /// `ANTHROPIC_API_KEY`), which a prompt or a server may echo even when this LM does not use them.
    init(secrets: [String?], environment: [String: String] = ProcessInfo.processInfo.environment) {
        var all = secrets.compactMap { $0 }
        for name in Redactor.environmentKeys { if let v = environment[name] { all.append(v) } }
        var unique = OrderedSet<[UInt8]>()
        for s in all where s.utf8.count >= Redactor.minimumLength { unique.append(Array(s.utf8)) }
        self.secrets = unique.sorted { $0.count > $1.count }
        var starts = [Bool](repeating: false, count: 256)
        for secret in self.secrets { if let first = secret.first { starts[Int(first)] = true } }
        if !self.secrets.isEmpty { starts[Int(UInt8(ascii: "%"))] = true }
        startsASecret = starts
    }

    /// Environment variables that hold API keys.
    static let environmentKeys = ["OPENAI_API_KEY", "ANTHROPIC_API_KEY"]

    /// A redactor that hides nothing.
    static let none = Redactor(secrets: [], environment: [:])

    var isEmpty: Bool { secrets.isEmpty }

    // MARK: Text

    /// `text` with every secret (plain or percent-encoded) replaced by ``mark``.
    func scrub(_ text: String) -> String {
        guard !secrets.isEmpty else { return text }
        var utf8 = text
        // Read in place: every reply and error goes through here, and most hold no secret.
        let scrubbed: String? = utf8.withUTF8 { bytes in
            var out: [UInt8] = []
            var changed = false
            var i = 0
            var copiedUpTo = 0
            while i < bytes.count {
                guard startsASecret[Int(bytes[i])] else {
                    i += 1
                    continue
                }
                var matched = 0
                for secret in secrets {
                    matched = Redactor.match(secret, in: bytes, at: i)
                    if matched > 0 { break }
                }
                if matched > 0 {
                    if !changed {
                        out.reserveCapacity(bytes.count)
                        changed = true
                    }
                    out.append(contentsOf: bytes[copiedUpTo..<i])
                    out.append(contentsOf: Redactor.mark.utf8)
                    i += matched
                    copiedUpTo = i
                } else {
                    i += 1
                }
            }
            guard changed else { return nil }
            out.append(contentsOf: bytes[copiedUpTo...])
            return String(decoding: out, as: UTF8.self)
        }
        return scrubbed ?? text
    }

    /// True when `text` holds a secret.
    func reveals(_ text: String) -> Bool { scrub(text) != text }

    /// The length in bytes of `secret` written at `start` of `bytes`, each byte either literal
    /// or as `%XX` (either case); 0 when it is not there.
    private static func match(_ secret: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Int {
        var i = start
        for b in secret {
            guard i < bytes.count else { return 0 }
            if bytes[i] == b {
                i += 1
            } else if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count, let hi = hexValue(bytes[i + 1]), let lo = hexValue(bytes[i + 2]),
                hi << 4 | lo == b
            {
                i += 3
            } else {
                return 0
            }
        }
        return i - start
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    // MARK: Structured values

    /// `value` with every string (keys included) scrubbed.
    func scrub(_ value: Value) -> Value {
        guard !secrets.isEmpty else { return value }
        switch value {
        case .string(let s): return .string(scrub(s))
        case .array(let a): return .array(a.map { scrub($0) })
        case .object(let o):
            var out = OrderedDictionary<String, Value>()
            for (k, v) in o { out[scrub(k)] = scrub(v) }
            return .object(out)
        default: return value
        }
    }

    func scrub(_ messages: [Message]) -> [Message] {
        guard !secrets.isEmpty else { return messages }
        return messages.map { Message($0.role, scrub($0.content)) }
    }

    /// A reply with its texts, model name and raw provider JSON scrubbed.
    func scrub(_ response: LMResponse) -> LMResponse {
        guard !secrets.isEmpty else { return response }
        var r = response
        if r.choices.contains(where: { choice in choice.text.map(reveals) == true || choice.finishReason.map(reveals) == true }) {
            r.choices = r.choices.map { LMChoice(text: $0.text.map { scrub($0) }, finishReason: $0.finishReason.map { scrub($0) }) }
        }
        r.model = r.model.map { scrub($0) }
        r.rawReply = scrub(r.rawReply)
        return r
    }

    /// A raw reply with its strings scrubbed. Reply text is searched as it is: without `\u`
    /// escapes in it, and with secrets that JSON writes as they are, a secret that is not in the
    /// text is in none of its strings, and the text is kept without being parsed.
    func scrub(_ raw: RawReply) -> RawReply {
        guard !secrets.isEmpty else { return raw }
        if let text = raw.jsonText, secretsAreWrittenLiterally, text.utf8Range(of: "\\u") == nil, !reveals(text) { return raw }
        return RawReply(scrub(raw.value))
    }

    /// True when no secret holds a byte JSON escapes (`"`, `\`, `/`, control characters).
    private var secretsAreWrittenLiterally: Bool {
        secrets.allSatisfy { $0.allSatisfy { $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") && $0 != UInt8(ascii: "/") } }
    }

    /// An error with its message, hint and request id scrubbed.
    func scrub(_ error: LMError) -> LMError {
        guard !secrets.isEmpty else { return error }
        var e = error
        e.message = scrub(e.message)
        e.hint = e.hint.map { scrub($0) }
        e.requestID = e.requestID.map { scrub($0) }
        return e
    }
}
