import Foundation

/// `re`, on ICU's regular expressions (Foundation), with Python's pattern syntax translated
/// (`(?P<name>...)`, `(?P=name)`, `\Z`) and Python's replacement templates and positions
/// (code points, not UTF-16 units).
final class RegexPattern: PyObject, @unchecked Sendable {
    // Sendable proof: as PyObject (interpreter lock); NSRegularExpression is immutable.
    let pattern: String
    let flags: Int
    let regex: NSRegularExpression
    let groupNames: [String: Int]

    init(pattern: String, flags: Int, regex: NSRegularExpression, groupNames: [String: Int]) {
        self.pattern = pattern
        self.flags = flags
        self.regex = regex
        self.groupNames = groupNames
        super.init(type: Builtins.patternType)
    }
}

/// A subject string with UTF-16 ↔ code point offset conversion.
final class RegexSubject: @unchecked Sendable {
    // Sendable proof: immutable after init.
    let string: String
    let ns: NSString
    /// Code point index of each UTF-16 offset (nil when the string is ASCII or BMP-only).
    let scalarIndex: [Int]?

    init(_ string: String) {
        self.string = string
        ns = string as NSString
        var needsMap = false
        for s in string.unicodeScalars where s.value > 0xFFFF { needsMap = true; break }
        if needsMap {
            var map: [Int] = []
            var i = 0
            for s in string.unicodeScalars {
                map.append(i)
                if s.value > 0xFFFF { map.append(i) }
                i += 1
            }
            map.append(i)
            scalarIndex = map
        } else {
            scalarIndex = nil
        }
    }

    func scalarOffset(_ utf16: Int) -> Int { scalarIndex.map { $0[min(utf16, $0.count - 1)] } ?? utf16 }

    func utf16Offset(_ scalar: Int) -> Int {
        guard let map = scalarIndex else { return scalar }
        return map.firstIndex(of: scalar) ?? map.count - 1
    }

    func substring(_ r: NSRange) -> String { ns.substring(with: r) }
    var length: Int { ns.length }
}

final class RegexMatch: PyObject, @unchecked Sendable {
    // Sendable proof: as PyObject (interpreter lock).
    let pattern: RegexPattern
    let subject: RegexSubject
    let result: NSTextCheckingResult
    let pos: Int
    let endpos: Int

    init(pattern: RegexPattern, subject: RegexSubject, result: NSTextCheckingResult, pos: Int, endpos: Int) {
        self.pattern = pattern
        self.subject = subject
        self.result = result
        self.pos = pos
        self.endpos = endpos
        super.init(type: Builtins.matchType)
    }

    func groupIndex(_ ctx: ExecContext, _ g: PyValue) throws -> Int {
        switch g {
        case .str(let name):
            guard let i = pattern.groupNames[name] else { throw PyError.index("no such group") }
            return i
        default:
            guard let i = g.smallInt, i >= 0, i < result.numberOfRanges else { throw PyError.index("no such group") }
            return i
        }
    }

    func group(_ i: Int) -> PyValue {
        let r = result.range(at: i)
        if r.location == NSNotFound { return .none }
        return .str(subject.substring(r))
    }

    func span(_ i: Int) -> (Int, Int) {
        let r = result.range(at: i)
        if r.location == NSNotFound { return (-1, -1) }
        return (subject.scalarOffset(r.location), subject.scalarOffset(r.location + r.length))
    }
}

enum RegexModule {
    static let ignoreCase = 2, multiline = 8, dotAll = 16, verbose = 64, ascii = 256, unicode = 32

    static func make() -> PyModule {
        let m = PyModule(name: "re", doc: "Support for regular expressions (RE).")
        for (name, value) in [
            ("I", ignoreCase), ("IGNORECASE", ignoreCase), ("M", multiline), ("MULTILINE", multiline),
            ("S", dotAll), ("DOTALL", dotAll), ("X", verbose), ("VERBOSE", verbose), ("A", ascii),
            ("ASCII", ascii), ("U", unicode), ("UNICODE", unicode),
        ] {
            m.define(name, .int(value))
        }
        m.define("error", .object(Builtins.regexErrorType))
        m.define("Pattern", .object(Builtins.patternType))
        m.define("Match", .object(Builtins.matchType))
        m.function("compile", "compile(pattern, flags=0)", doc: "Compile a regular expression pattern, returning a Pattern object.") { ctx, a in
            let p = try a.bind("compile", ["pattern", "flags"], required: 1)
            if let existing = p[0]?.as(RegexPattern.self) { return .object(existing) }
            return .object(try compile(ctx, p[0] ?? .none, p[1]))
        }
        m.function("escape", "escape(pattern)", doc: "Escape special characters in a string.") { ctx, a in
            try a.check("escape", min: 1, max: 1)
            let s = try ctx.strArg(a[0], "escape")
            var out = ""
            // Python 3.7+ escapes only the characters that are special in patterns.
            let special = Set("()[]{}?*+-|^$\\.&~# \t\n\r\u{0B}\u{0C}".unicodeScalars)
            for c in s.unicodeScalars {
                if special.contains(c) { out += "\\" }
                out.unicodeScalars.append(c)
            }
            return .str(out)
        }
        m.function("purge", "purge()") { _, _ in .none }
        // Module-level functions compile (or reuse) the pattern, then call the Pattern method.
        for name in ["match", "search", "fullmatch", "findall", "finditer", "sub", "subn", "split"] {
            m.function(name, "\(name)(pattern, ...)", doc: docs[name] ?? "") { ctx, a in
                guard let first = a.positional.first else { throw PyError.type("\(name)() missing required argument 'pattern' (pos 1)") }
                var rest = a
                rest.positional.removeFirst()
                var flags: PyValue?
                if let i = rest.keywords.firstIndex(where: { $0.name == "flags" }) {
                    flags = rest.keywords[i].value
                    rest.keywords.remove(at: i)
                } else {
                    let positionalFlagsIndex = ["sub": 3, "subn": 3, "split": 2].map { $0 }.first { $0.key == name }?.value ?? 1
                    if rest.positional.count > positionalFlagsIndex {
                        flags = rest.positional.remove(at: positionalFlagsIndex)
                    }
                }
                let pattern = try first.as(RegexPattern.self) ?? compile(ctx, first, flags)
                guard case .object(let method as PyNativeMethod)? = Builtins.patternType.dict.getString(name) else { return .none }
                return try method.body(ctx, .object(pattern), rest)
            }
        }
        return m
    }

    static let docs: [String: String] = [
        "match": "Try to apply the pattern at the start of the string, returning a Match object, or None.",
        "search": "Scan through string looking for a match to the pattern, returning a Match object, or None.",
        "fullmatch": "Try to apply the pattern to all of the string, returning a Match object, or None.",
        "findall": "Return a list of all non-overlapping matches in the string.",
        "finditer": "Return an iterator over all non-overlapping matches in the string.",
        "sub": "Return the string obtained by replacing the leftmost non-overlapping occurrences of the pattern.",
        "subn": "Return a 2-tuple containing (new_string, number of substitutions made).",
        "split": "Split the source string by the occurrences of the pattern.",
    ]

    /// Python syntax to ICU syntax; also collects named groups by number.
    static func translate(_ pattern: String) -> (String, [String: Int]) {
        let c = Array(pattern.unicodeScalars)
        var out = String.UnicodeScalarView()
        var names: [String: Int] = [:]
        var group = 0
        var i = 0
        var inClass = false
        while i < c.count {
            let ch = c[i]
            if ch == "\\" && i + 1 < c.count {
                if c[i + 1] == "Z" && !inClass { out.append(contentsOf: "\\z".unicodeScalars) } else { out.append(ch); out.append(c[i + 1]) }
                i += 2
                continue
            }
            if inClass {
                if ch == "]" { inClass = false }
                out.append(ch)
                i += 1
                continue
            }
            if ch == "[" {
                inClass = true
                out.append(ch)
                i += 1
                if i < c.count, c[i] == "^" { out.append(c[i]); i += 1 }
                if i < c.count, c[i] == "]" { out.append(contentsOf: "\\]".unicodeScalars); i += 1 }
                continue
            }
            if ch == "(" {
                if i + 1 < c.count && c[i + 1] == "?" {
                    if i + 3 < c.count && c[i + 2] == "P" && c[i + 3] == "<" {
                        group += 1
                        var j = i + 4
                        var name = ""
                        while j < c.count && c[j] != ">" { name.unicodeScalars.append(c[j]); j += 1 }
                        names[name] = group
                        out.append(contentsOf: "(?<\(name)>".unicodeScalars)
                        i = j + 1
                        continue
                    }
                    if i + 3 < c.count && c[i + 2] == "P" && c[i + 3] == "=" {
                        var j = i + 4
                        var name = ""
                        while j < c.count && c[j] != ")" { name.unicodeScalars.append(c[j]); j += 1 }
                        out.append(contentsOf: "\\k<\(name)>".unicodeScalars)
                        i = j + 1
                        continue
                    }
                    if i + 2 < c.count && c[i + 2] == "<" && i + 3 < c.count && c[i + 3] != "=" && c[i + 3] != "!" {
                        group += 1
                        var j = i + 3
                        var name = ""
                        while j < c.count && c[j] != ">" { name.unicodeScalars.append(c[j]); j += 1 }
                        names[name] = group
                    }
                } else {
                    group += 1
                }
            }
            out.append(ch)
            i += 1
        }
        return (String(out), names)
    }

    static func compile(_ ctx: ExecContext, _ patternValue: PyValue, _ flagsValue: PyValue?) throws -> RegexPattern {
        guard case .str(let pattern) = patternValue else {
            throw PyError.type("first argument must be string or compiled pattern")
        }
        let flags = try ctx.optional(flagsValue).map { try ctx.intArg($0) } ?? 0
        var options: NSRegularExpression.Options = []
        if flags & ignoreCase != 0 { options.insert(.caseInsensitive) }
        if flags & multiline != 0 { options.insert(.anchorsMatchLines) }
        if flags & dotAll != 0 { options.insert(.dotMatchesLineSeparators) }
        if flags & verbose != 0 { options.insert(.allowCommentsAndWhitespace) }
        if let problem = RegexSyntax.firstError(in: pattern, verbose: flags & verbose != 0) {
            throw PyError(Builtins.regexErrorType, "\(problem.message) at position \(problem.position)")
        }
        let (icu, names) = translate(pattern)
        let regex: NSRegularExpression
        do {
            regex = try NSRegularExpression(pattern: icu, options: options)
        } catch {
            throw PyError(Builtins.regexErrorType, "invalid regular expression \(Repr.string(pattern))")
        }
        return RegexPattern(pattern: pattern, flags: flags | unicode, regex: regex, groupNames: names)
    }

    /// Python's replacement template: `\1`, `\g<1>`, `\g<name>` and escapes.
    static func expand(_ template: String, _ m: RegexMatch, _ ctx: ExecContext) throws -> String {
        let c = Array(template.unicodeScalars)
        var out = ""
        var i = 0
        while i < c.count {
            guard c[i] == "\\", i + 1 < c.count else {
                out.unicodeScalars.append(c[i])
                i += 1
                continue
            }
            let n = c[i + 1]
            switch n {
            case "0"..."9":
                var j = i + 1
                var digits = ""
                while j < c.count, ("0"..."9").contains(c[j]), digits.count < 2 { digits.unicodeScalars.append(c[j]); j += 1 }
                let g = Int(digits) ?? 0
                guard g < m.result.numberOfRanges else { throw PyError(Builtins.regexErrorType, "invalid group reference \(g) at position \(i + 1)") }
                if case .str(let s) = m.group(g) { out += s }
                i = j
            case "g":
                guard i + 2 < c.count, c[i + 2] == "<", let close = c[(i + 3)...].firstIndex(of: ">") else {
                    throw PyError(Builtins.regexErrorType, "missing < at position \(i + 2)")
                }
                let name = String(String.UnicodeScalarView(c[(i + 3)..<close]))
                let g = try m.groupIndex(ctx, Int(name).map { .int($0) } ?? .str(name))
                if case .str(let s) = m.group(g) { out += s }
                i = close + 1
            case "n": out += "\n"; i += 2
            case "t": out += "\t"; i += 2
            case "r": out += "\r"; i += 2
            case "\\": out += "\\"; i += 2
            default:
                if n.properties.isAlphabetic && n.isASCII {
                    throw PyError(Builtins.regexErrorType, "bad escape \\\(n) at position \(i)")
                }
                out += "\\"
                out.unicodeScalars.append(n)
                i += 2
            }
        }
        return out
    }

    static func pattern(_ v: PyValue) throws -> RegexPattern {
        guard let p = v.as(RegexPattern.self) else { throw PyError.type("descriptor requires a 're.Pattern' object") }
        return p
    }

    /// Resolves the subject string and optional pos/endpos arguments.
    static func subject(_ ctx: ExecContext, _ a: Args, _ fn: String) throws -> (RegexSubject, Int, Int) {
        let p = try a.bind(fn, ["string", "pos", "endpos"], required: 1)
        guard case .str(let s)? = p[0] else { throw PyError.type("expected string or bytes-like object, got '\(p[0]?.typeName ?? "None")'") }
        let subject = RegexSubject(s)
        let n = StringIndex.count(s)
        let pos = try p[1].map { min(max(0, try ctx.intArg($0)), n) } ?? 0
        let end = try p[2].map { min(max(0, try ctx.intArg($0)), n) } ?? n
        return (subject, pos, max(pos, end))
    }

    static func installPattern(_ t: PyType) {
        @Sendable func firstMatch(_ ctx: ExecContext, _ s: PyValue, _ a: Args, _ fn: String, anchored: Bool, full: Bool) throws -> PyValue {
            let p = try pattern(s)
            let (subject, pos, end) = try subject(ctx, a, fn)
            let range = NSRange(location: subject.utf16Offset(pos), length: subject.utf16Offset(end) - subject.utf16Offset(pos))
            var options: NSRegularExpression.MatchingOptions = [.withTransparentBounds]
            if anchored { options.insert(.anchored) }
            if full {
                // A full match: the pattern must end where the subject ends.
                let wrapped = try NSRegularExpression(pattern: "(?:" + p.regex.pattern + ")\\z", options: p.regex.options)
                guard let r = wrapped.firstMatch(in: subject.string, options: options, range: range) else { return .none }
                return .object(RegexMatch(pattern: p, subject: subject, result: r, pos: pos, endpos: end))
            }
            guard let r = p.regex.firstMatch(in: subject.string, options: options, range: range) else { return .none }
            return .object(RegexMatch(pattern: p, subject: subject, result: r, pos: pos, endpos: end))
        }
        t.method("match", "match(string, pos=0, endpos=sys.maxsize)", doc: docs["match"] ?? "") { ctx, s, a in
            try firstMatch(ctx, s, a, "match", anchored: true, full: false)
        }
        t.method("search", "search(string, pos=0, endpos=sys.maxsize)", doc: docs["search"] ?? "") { ctx, s, a in
            try firstMatch(ctx, s, a, "search", anchored: false, full: false)
        }
        t.method("fullmatch", "fullmatch(string, pos=0, endpos=sys.maxsize)", doc: docs["fullmatch"] ?? "") { ctx, s, a in
            try firstMatch(ctx, s, a, "fullmatch", anchored: true, full: true)
        }
        @Sendable func allMatches(_ ctx: ExecContext, _ s: PyValue, _ a: Args, _ fn: String) throws -> [RegexMatch] {
            let p = try pattern(s)
            let (subject, pos, end) = try subject(ctx, a, fn)
            let range = NSRange(location: subject.utf16Offset(pos), length: subject.utf16Offset(end) - subject.utf16Offset(pos))
            return p.regex.matches(in: subject.string, options: [.withTransparentBounds], range: range).map {
                RegexMatch(pattern: p, subject: subject, result: $0, pos: pos, endpos: end)
            }
        }
        t.method("findall", "findall(string, pos=0, endpos=sys.maxsize)", doc: docs["findall"] ?? "") { ctx, s, a in
            let matches = try allMatches(ctx, s, a, "findall")
            return .object(
                PyList(
                    matches.map { m in
                        let groups = m.result.numberOfRanges - 1
                        if groups == 0 { return m.group(0) }
                        if groups == 1 { return m.group(1).isNone ? .str("") : m.group(1) }
                        return .object(PyTuple((1...groups).map { m.group($0).isNone ? .str("") : m.group($0) }))
                    }))
        }
        t.method("finditer", "finditer(string, pos=0, endpos=sys.maxsize)", doc: docs["finditer"] ?? "") { ctx, s, a in
            .object(ArrayIterator(try allMatches(ctx, s, a, "finditer").map { .object($0) }, name: "callable_iterator"))
        }
        @Sendable func substitute(_ ctx: ExecContext, _ s: PyValue, _ a: Args, _ fn: String) throws -> (String, Int) {
            let p = try pattern(s)
            let args = try a.bind(fn, ["repl", "string", "count"], required: 2)
            guard let repl = args[0], case .str(let text)? = args[1] else {
                throw PyError.type("expected string or bytes-like object, got '\(args[1]?.typeName ?? "None")'")
            }
            let count = try args[2].map { try ctx.intArg($0) } ?? 0
            let subject = RegexSubject(text)
            var out = ""
            var last = 0
            var n = 0
            let end = StringIndex.count(text)  // once: per match it made substituting quadratic
            for r in p.regex.matches(in: text, options: [], range: NSRange(location: 0, length: subject.length)) {
                if count > 0 && n >= count { break }
                let m = RegexMatch(pattern: p, subject: subject, result: r, pos: 0, endpos: end)
                out += subject.substring(NSRange(location: last, length: r.range.location - last))
                if case .str(let template) = repl {
                    out += try expand(template, m, ctx)
                } else {
                    let v = try ctx.call(repl, Args([.object(m)]))
                    guard case .str(let piece) = v else { throw PyError.type("expected str instance, \(v.typeName) found") }
                    out += piece
                }
                last = r.range.location + r.range.length
                n += 1
            }
            out += subject.substring(NSRange(location: last, length: subject.length - last))
            return (out, n)
        }
        t.method("sub", "sub(repl, string, count=0)", doc: docs["sub"] ?? "") { ctx, s, a in .str(try substitute(ctx, s, a, "sub").0) }
        t.method("subn", "subn(repl, string, count=0)", doc: docs["subn"] ?? "") { ctx, s, a in
            let (text, n) = try substitute(ctx, s, a, "subn")
            return .object(PyTuple([.str(text), .int(n)]))
        }
        t.method("split", "split(string, maxsplit=0)", doc: docs["split"] ?? "") { ctx, s, a in
            let p = try pattern(s)
            let args = try a.bind("split", ["string", "maxsplit"], required: 1)
            guard case .str(let text)? = args[0] else { throw PyError.type("expected string or bytes-like object") }
            let maxsplit = try args[1].map { try ctx.intArg($0) } ?? 0
            let subject = RegexSubject(text)
            var out: [PyValue] = []
            var last = 0
            var n = 0
            for r in p.regex.matches(in: text, options: [], range: NSRange(location: 0, length: subject.length)) {
                if maxsplit > 0 && n >= maxsplit { break }
                out.append(.str(subject.substring(NSRange(location: last, length: r.range.location - last))))
                let m = RegexMatch(pattern: p, subject: subject, result: r, pos: 0, endpos: 0)
                if r.numberOfRanges > 1 { for g in 1..<r.numberOfRanges { out.append(m.group(g)) } }
                last = r.range.location + r.range.length
                n += 1
            }
            out.append(.str(subject.substring(NSRange(location: last, length: subject.length - last))))
            return .object(PyList(out))
        }
        t.property("pattern", get: { _, s in .str(try pattern(s).pattern) })
        t.property("flags", get: { _, s in .int(try pattern(s).flags) })
        t.property("groups", get: { _, s in .int(try pattern(s).regex.numberOfCaptureGroups) })
        t.property(
            "groupindex",
            get: { _, s in
                .object(PyDict(try pattern(s).groupNames.sorted { $0.value < $1.value }.map { ($0.key, .int($0.value)) }))
            })
        t.method("__repr__") { _, s, _ in
            let p = try pattern(s)
            var flagText = ""
            var names: [String] = []
            if p.flags & ignoreCase != 0 { names.append("re.IGNORECASE") }
            if p.flags & multiline != 0 { names.append("re.MULTILINE") }
            if p.flags & dotAll != 0 { names.append("re.DOTALL") }
            if p.flags & verbose != 0 { names.append("re.VERBOSE") }
            if !names.isEmpty { flagText = ", " + names.joined(separator: "|") }
            return .str("re.compile(\(Repr.string(p.pattern))\(flagText))")
        }
    }

    static func installMatch(_ t: PyType) {
        @Sendable func match(_ v: PyValue) throws -> RegexMatch {
            guard let m = v.as(RegexMatch.self) else { throw PyError.type("descriptor requires a 're.Match' object") }
            return m
        }
        t.method("group", "group([group1, ...])", doc: "Return one or more subgroups of the match.") { ctx, s, a in
            let m = try match(s)
            if a.count == 0 { return m.group(0) }
            if a.count == 1 { return m.group(try m.groupIndex(ctx, a[0])) }
            return .object(PyTuple(try a.positional.map { m.group(try m.groupIndex(ctx, $0)) }))
        }
        t.method("__getitem__") { ctx, s, a in
            let m = try match(s)
            return m.group(try m.groupIndex(ctx, a[0]))
        }
        t.method("groups", "groups(default=None)", doc: "Return a tuple containing all the subgroups of the match.") { _, s, a in
            let m = try match(s)
            let def = a.positional.first ?? a.keyword("default") ?? .none
            guard m.result.numberOfRanges > 1 else { return .object(PyTuple.empty) }
            return .object(PyTuple((1..<m.result.numberOfRanges).map { m.group($0).isNone ? def : m.group($0) }))
        }
        t.method("groupdict", "groupdict(default=None)", doc: "Return a dictionary containing all the named subgroups of the match.") { _, s, a in
            let m = try match(s)
            let def = a.positional.first ?? a.keyword("default") ?? .none
            return .object(
                PyDict(m.pattern.groupNames.sorted { $0.value < $1.value }.map { ($0.key, m.group($0.value).isNone ? def : m.group($0.value)) }))
        }
        t.method("start", "start(group=0)") { ctx, s, a in
            let m = try match(s)
            return .int(m.span(try m.groupIndex(ctx, a.positional.first ?? .int(0))).0)
        }
        t.method("end", "end(group=0)") { ctx, s, a in
            let m = try match(s)
            return .int(m.span(try m.groupIndex(ctx, a.positional.first ?? .int(0))).1)
        }
        t.method("span", "span(group=0)") { ctx, s, a in
            let m = try match(s)
            let (x, y) = m.span(try m.groupIndex(ctx, a.positional.first ?? .int(0)))
            return .object(PyTuple([.int(x), .int(y)]))
        }
        t.method("expand", "expand(template)") { ctx, s, a in .str(try RegexModule.expand(try ctx.strArg(a[0], "expand"), try match(s), ctx)) }
        t.property("string", get: { _, s in .str(try match(s).subject.string) })
        t.property("re", get: { _, s in .object(try match(s).pattern) })
        t.property("pos", get: { _, s in .int(try match(s).pos) })
        t.property("endpos", get: { _, s in .int(try match(s).endpos) })
        t.property(
            "lastindex",
            get: { _, s in
                let m = try match(s)
                var last: Int?
                if m.result.numberOfRanges > 1 {
                    for i in 1..<m.result.numberOfRanges where m.result.range(at: i).location != NSNotFound { last = i }
                }
                return last.map { .int($0) } ?? .none
            })
        t.property(
            "lastgroup",
            get: { _, s in
                let m = try match(s)
                var last: Int?
                if m.result.numberOfRanges > 1 {
                    for i in 1..<m.result.numberOfRanges where m.result.range(at: i).location != NSNotFound { last = i }
                }
                guard let l = last, let name = m.pattern.groupNames.first(where: { $0.value == l })?.key else { return .none }
                return .str(name)
            })
        t.method("__bool__") { _, _, _ in .true }
        t.method("__repr__") { ctx, s, _ in
            let m = try match(s)
            let (x, y) = m.span(0)
            return .str("<re.Match object; span=(\(x), \(y)), match=\(try ctx.repr(m.group(0)))>")
        }
    }
}

extension Builtins {
    static let patternType = makeType("Pattern", module: "re", native: .init(subclassable: false)) { RegexModule.installPattern($0) }
    static let matchType = makeType("Match", module: "re", native: .init(subclassable: false)) { RegexModule.installMatch($0) }
    static let regexErrorType = exceptionType("error", exceptionBaseType, module: "re")
}
