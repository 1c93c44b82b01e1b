/// The pattern errors CPython's `re` reports (sre_parse's messages and positions), found before
/// the pattern is handed to the ICU engine, whose own messages differ.
enum RegexSyntax {
    struct Problem {
        let message: String
        let position: Int
    }

    /// The first error in `pattern`, or nil if none of the checked kinds occurs.
    static func firstError(in pattern: String, verbose: Bool) -> Problem? {
        let c = Array(pattern.unicodeScalars)
        var groups: [Int] = []
        /// Whether the previous item can take a quantifier (false at the start, after `(`, `|`).
        var canRepeat = false
        /// Whether the previous item is itself a quantifier (`a**` is a multiple repeat).
        var afterQuantifier = false
        var i = 0
        while i < c.count {
            let ch = c[i]
            switch ch {
            case "\\":
                if i + 1 >= c.count { return Problem(message: "bad escape (end of pattern)", position: i) }
                i += 2
                canRepeat = true
                afterQuantifier = false
                continue
            case "[":
                let start = i
                var j = i + 1
                if j < c.count && c[j] == "^" { j += 1 }
                if j < c.count && c[j] == "]" { j += 1 }
                while j < c.count && c[j] != "]" {
                    j += c[j] == "\\" ? 2 : 1
                }
                if j >= c.count { return Problem(message: "unterminated character set", position: start) }
                i = j + 1
                canRepeat = true
                afterQuantifier = false
                continue
            case "(":
                groups.append(i)
                i += 1
                if i < c.count && c[i] == "?" {
                    // Skip the extension's introducer so `(?:`, `(?P<n>` are not quantifiers.
                    i += 1
                    if i < c.count && c[i] == "P" { i += 1 }
                    if i < c.count && (c[i] == "<" || c[i] == "=" || c[i] == "!" || c[i] == ":") {
                        if c[i] == "<", i + 1 < c.count, c[i + 1] != "=" && c[i + 1] != "!" {
                            while i < c.count && c[i] != ">" { i += 1 }
                        }
                        i += 1
                    }
                }
                canRepeat = false
                afterQuantifier = false
                continue
            case ")":
                if groups.isEmpty { return Problem(message: "unbalanced parenthesis", position: i) }
                groups.removeLast()
                canRepeat = true
                afterQuantifier = false
            case "|":
                canRepeat = false
                afterQuantifier = false
            case "*", "+", "?":
                if ch == "?" && afterQuantifier {
                    afterQuantifier = false
                    canRepeat = false
                    i += 1
                    continue
                }
                if afterQuantifier { return Problem(message: "multiple repeat", position: i) }
                if !canRepeat { return Problem(message: "nothing to repeat", position: i) }
                afterQuantifier = true
            case "{":
                // A repeat only when it has the form {m}, {m,}, {,n} or {m,n}.
                var j = i + 1
                var low = ""
                while j < c.count, ("0"..."9").contains(c[j]) { low.unicodeScalars.append(c[j]); j += 1 }
                var high: String?
                if j < c.count && c[j] == "," {
                    j += 1
                    var h = ""
                    while j < c.count, ("0"..."9").contains(c[j]) { h.unicodeScalars.append(c[j]); j += 1 }
                    high = h
                }
                guard j < c.count, c[j] == "}", !(low.isEmpty && high == nil) else {
                    canRepeat = true
                    afterQuantifier = false
                    break
                }
                if afterQuantifier { return Problem(message: "multiple repeat", position: i) }
                if !canRepeat { return Problem(message: "nothing to repeat", position: i) }
                if let lo = Int(low), let hs = high, let hi = Int(hs), hi < lo {
                    return Problem(message: "min repeat greater than max repeat", position: i + 1)
                }
                i = j + 1
                afterQuantifier = true
                continue
            case "#" where verbose:
                while i < c.count && c[i] != "\n" { i += 1 }
                continue
            case " " where verbose, "\t" where verbose, "\n" where verbose:
                i += 1
                continue
            default:
                canRepeat = true
                afterQuantifier = false
            }
            i += 1
        }
        if let open = groups.last { return Problem(message: "missing ), unterminated subpattern", position: open) }
        return nil
    }
}
