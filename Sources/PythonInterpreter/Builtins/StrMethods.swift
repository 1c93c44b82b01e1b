import Foundation
import BigInt

/// `str` methods. Strings index by code point, as in Python.
enum StrMethods {
    static func me(_ v: PyValue) -> String { v.stringValue ?? "" }

    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x1C...0x1F, 0x20, 0x85, 0xA0: return true
        default: return c.value > 0x7F && c.properties.isWhitespace
        }
    }

    static func isLineBreak(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029: return true
        default: return false
        }
    }

    /// Resolves optional start/end arguments against a length, as slices do.
    static func range(_ ctx: ExecContext, _ start: PyValue?, _ end: PyValue?, _ n: Int) throws -> (Int, Int) {
        func clamp(_ v: PyValue?, _ def: Int) throws -> Int {
            guard let v, !v.isNone else { return def }
            guard let b = try ctx.index(v) else { throw PyError.type("slice indices must be integers or None or have an __index__ method") }
            var i = Int(exactly: b) ?? (b.sign == .minus ? Int.min / 2 : Int.max / 2)
            if i < 0 { i = max(0, i + n) }
            return min(i, n)
        }
        return (try clamp(start, 0), try clamp(end, n))
    }

    static func find(_ hay: [Unicode.Scalar], _ needle: [Unicode.Scalar], _ start: Int, _ end: Int, reverse: Bool = false) -> Int {
        if needle.count > end - start { return needle.isEmpty && start <= end ? start : -1 }
        if needle.isEmpty { return reverse ? end : start }
        let last = end - needle.count
        if reverse {
            var i = last
            while i >= start {
                if hay[i] == needle[0] && Array(hay[i..<(i + needle.count)]) == needle { return i }
                i -= 1
            }
        } else {
            var i = start
            while i <= last {
                if hay[i] == needle[0] && hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
                i += 1
            }
        }
        return -1
    }

    static func count(_ hay: [Unicode.Scalar], _ needle: [Unicode.Scalar], _ start: Int, _ end: Int) -> Int {
        if needle.isEmpty { return end >= start ? end - start + 1 : 0 }
        var n = 0
        var i = start
        while true {
            let j = find(hay, needle, i, end)
            if j < 0 { return n }
            n += 1
            i = j + needle.count
        }
    }

    static func str(_ scalars: some Sequence<Unicode.Scalar>) -> String {
        var v = String.UnicodeScalarView()
        v.append(contentsOf: scalars)
        return String(v)
    }

    static func split(_ s: String, sep: String?, maxsplit: Int, fromRight: Bool) throws -> [PyValue] {
        let c = Array(s.unicodeScalars)
        var parts: [String] = []
        if let sep {
            let n = Array(sep.unicodeScalars)
            guard !n.isEmpty else { throw PyError.value("empty separator") }
            if !fromRight {
                var i = 0
                var splits = 0
                while maxsplit < 0 || splits < maxsplit {
                    let j = find(c, n, i, c.count)
                    if j < 0 { break }
                    parts.append(str(c[i..<j]))
                    i = j + n.count
                    splits += 1
                }
                parts.append(str(c[i...]))
            } else {
                var end = c.count
                var splits = 0
                while maxsplit < 0 || splits < maxsplit {
                    let j = find(c, n, 0, end, reverse: true)
                    if j < 0 { break }
                    parts.insert(str(c[(j + n.count)..<end]), at: 0)
                    end = j
                    splits += 1
                }
                parts.insert(str(c[0..<end]), at: 0)
            }
            return parts.map { .str($0) }
        }
        // Whitespace runs; no empty strings.
        if !fromRight {
            var i = 0
            var splits = 0
            while i < c.count {
                while i < c.count && isSpace(c[i]) { i += 1 }
                if i >= c.count { break }
                if maxsplit >= 0 && splits >= maxsplit {
                    var end = c.count
                    while end > i && isSpace(c[end - 1]) { end -= 1 }
                    parts.append(str(c[i..<end]))
                    break
                }
                let start = i
                while i < c.count && !isSpace(c[i]) { i += 1 }
                parts.append(str(c[start..<i]))
                splits += 1
            }
        } else {
            var i = c.count
            var splits = 0
            while i > 0 {
                while i > 0 && isSpace(c[i - 1]) { i -= 1 }
                if i == 0 { break }
                if maxsplit >= 0 && splits >= maxsplit {
                    var start = 0
                    while start < i && isSpace(c[start]) { start += 1 }
                    parts.insert(str(c[start..<i]), at: 0)
                    break
                }
                let end = i
                while i > 0 && !isSpace(c[i - 1]) { i -= 1 }
                parts.insert(str(c[i..<end]), at: 0)
                splits += 1
            }
        }
        return parts.map { .str($0) }
    }

    static func strip(_ s: String, _ chars: String?, left: Bool, right: Bool) -> String {
        let c = Array(s.unicodeScalars)
        let set: Set<Unicode.Scalar>? = chars.map { Set($0.unicodeScalars) }
        func strip(_ x: Unicode.Scalar) -> Bool { set.map { $0.contains(x) } ?? isSpace(x) }
        var a = 0, b = c.count
        if left { while a < b && strip(c[a]) { a += 1 } }
        if right { while b > a && strip(c[b - 1]) { b -= 1 } }
        if a == 0 && b == c.count { return s }
        return str(c[a..<b])
    }

    static func isCased(_ c: Unicode.Scalar) -> Bool {
        c.properties.isUppercase || c.properties.isLowercase
            || c.properties.changesWhenTitlecased && c.properties.isAlphabetic && !c.properties.isLowercase
    }

    static func title(_ s: String) -> String {
        // Into UTF-8 bytes: appending to a scalar view made this quadratic on long strings.
        var previousCased = false
        if StringIndex.isASCII(s) {
            let out = s.utf8.map { b -> UInt8 in
                let letter = (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                defer { previousCased = letter }
                return letter ? (previousCased ? b | 0x20 : b & ~0x20) : b
            }
            return String(decoding: out, as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            if c.isASCII {
                let b = UInt8(c.value)
                let letter = (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                out.append(letter ? (previousCased ? b | 0x20 : b & ~0x20) : b)
                previousCased = letter
            } else {
                out.append(contentsOf: (previousCased ? String(c).lowercased() : c.properties.titlecaseMapping).utf8)
                previousCased = c.properties.isCased
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func stringOrTuple(_ ctx: ExecContext, _ v: PyValue, _ function: String) throws -> [String] {
        if case .str(let s) = v { return [s] }
        if let t = v.as(PyTuple.self) {
            return try t.items.map {
                guard case .str(let s) = $0 else { throw PyError.type("tuple for \(function) must only contain str, not \($0.typeName)") }
                return s
            }
        }
        throw PyError.type("\(function) first arg must be str or a tuple of str, not \(v.typeName)")
    }

    static func pad(_ s: String, _ width: Int, _ fill: Unicode.Scalar, left: Int) -> String {
        let n = StringIndex.count(s)
        guard width > n else { return s }
        let total = width - n
        let f = String(fill)
        return String.repeating(f, count: left) + s + String.repeating(f, count: total - left)
    }

    static func fillChar(_ ctx: ExecContext, _ v: PyValue?, _ fn: String) throws -> Unicode.Scalar {
        guard let v else { return " " }
        guard case .str(let s) = v else { throw PyError.type("\(fn)() argument 2 must be str, not \(v.typeName)") }
        guard s.unicodeScalars.count == 1, let c = s.unicodeScalars.first else {
            throw PyError.type("The fill character must be exactly one character long")
        }
        return c
    }

    /// `str.isdigit` and friends, one character at a time.
    static func characterTest(_ name: String, _ c: Unicode.Scalar) -> Bool {
        switch name {
        case "isdigit": return c.properties.numericType == .digit || c.properties.numericType == .decimal
        case "isdecimal": return c.properties.numericType == .decimal
        case "isnumeric": return c.properties.numericType != nil
        case "isalpha": return c.properties.generalCategory.isLetter
        case "isalnum": return c.properties.generalCategory.isLetter || c.properties.numericType != nil
        default: return isSpace(c)
        }
    }

    /// ``characterTest(_:_:)`` for an ASCII byte.
    static func asciiTest(_ name: String) -> @Sendable (UInt8) -> Bool {
        let table = (0..<128).map { characterTest(name, Unicode.Scalar(UInt8($0))) }
        return { table[Int($0)] }
    }

    static func install(_ t: PyType) {
        t.doc = "str(object='') -> str\n\nCreate a new string object from the given object."
        t.method("split", "split(sep=None, maxsplit=-1)", doc: "Return a list of the substrings in the string, using sep as the separator string.") {
            ctx, s, a in
            let p = try a.bind("split", ["sep", "maxsplit"])
            let sep = try ctx.optional(p[0]).map { try ctx.strArg($0, "split", "argument 'sep'") }
            let max = try p[1].map { try ctx.intArg($0) } ?? -1
            return .object(PyList(try split(me(s), sep: sep, maxsplit: max, fromRight: false)))
        }
        t.method("rsplit", "rsplit(sep=None, maxsplit=-1)", doc: "Return a list of the substrings in the string, splitting from the end.") {
            ctx, s, a in
            let p = try a.bind("rsplit", ["sep", "maxsplit"])
            let sep = try ctx.optional(p[0]).map { try ctx.strArg($0, "rsplit", "argument 'sep'") }
            let max = try p[1].map { try ctx.intArg($0) } ?? -1
            return .object(PyList(try split(me(s), sep: sep, maxsplit: max, fromRight: true)))
        }
        t.method("splitlines", "splitlines(keepends=False)", doc: "Return a list of the lines in the string, breaking at line boundaries.") {
            ctx, s, a in
            let p = try a.bind("splitlines", ["keepends"])
            let keep = try p[0].map { try ctx.truthy($0) } ?? false
            // Walks the string's own scalar view and copies each line once.
            let v = me(s).unicodeScalars
            var out: [PyValue] = []
            var i = v.startIndex, start = v.startIndex
            while i < v.endIndex {
                let c = v[i]
                if isLineBreak(c) {
                    var end = v.index(after: i)
                    if c == "\r", end < v.endIndex, v[end] == "\n" { end = v.index(after: end) }
                    out.append(.str(String(v[start..<(keep ? end : i)])))
                    i = end
                    start = end
                } else {
                    i = v.index(after: i)
                }
            }
            if start < v.endIndex { out.append(.str(String(v[start...]))) }
            return .object(PyList(out))
        }
        t.method("join", "join(iterable, /)", doc: "Concatenate any number of strings, with this string between each.") { ctx, s, a in
            try a.check("join", min: 1, max: 1)
            let sep = me(s)
            var out = ""
            var i = 0
            try ctx.forEach(a[0]) { item in
                guard case .str(let x) = item else {
                    throw PyError.type("sequence item \(i): expected str instance, \(item.typeName) found")
                }
                if i > 0 { out += sep }
                out += x
                i += 1
                if out.utf8.count > ctx.interpreter.maxValueBytes { try ctx.checkSize(out.utf8.count) }
                return true
            }
            return .str(out)
        }
        for (name, left, right) in [("strip", true, true), ("lstrip", true, false), ("rstrip", false, true)] {
            t.method(
                name, "\(name)(chars=None, /)",
                doc:
                    "Return a copy of the string with \(left && right ? "leading and trailing" : left ? "leading" : "trailing") whitespace (or chars) removed."
            ) { ctx, s, a in
                try a.check(name, min: 0, max: 1)
                let chars = try a.positional.first.flatMap { ctx.optional($0) }.map { try ctx.strArg($0, name) }
                return .str(strip(me(s), chars, left: left, right: right))
            }
        }
        t.method("lower", "lower()", doc: "Return a copy of the string converted to lowercase.") { _, s, a in
            try a.check("lower", min: 0, max: 0)
            return .str(me(s).lowercased())
        }
        t.method("upper", "upper()", doc: "Return a copy of the string converted to uppercase.") { _, s, a in
            try a.check("upper", min: 0, max: 0)
            return .str(me(s).uppercased())
        }
        t.method("casefold", "casefold()", doc: "Return a version of the string suitable for caseless comparisons.") { _, s, _ in
            .str(me(s).folding(options: .caseInsensitive, locale: nil))
        }
        t.method("swapcase", "swapcase()", doc: "Convert uppercase characters to lowercase and lowercase characters to uppercase.") { _, s, _ in
            var out = ""
            for c in me(s).unicodeScalars {
                let x = String(c)
                out += c.properties.isUppercase ? x.lowercased() : c.properties.isLowercase ? x.uppercased() : x
            }
            return .str(out)
        }
        t.method("title", "title()", doc: "Return a version of the string where each word is titlecased.") { _, s, _ in .str(title(me(s))) }
        t.method("capitalize", "capitalize()", doc: "Return a capitalized version of the string.") { _, s, _ in
            let c = me(s).unicodeScalars
            guard let first = c.first else { return .str("") }
            return .str(first.properties.titlecaseMapping + String(String.UnicodeScalarView(c.dropFirst())).lowercased())
        }
        t.method("replace", "replace(old, new, count=-1, /)", doc: "Return a copy with all occurrences of substring old replaced by new.") {
            ctx, s, a in
            try a.check("replace", min: 2, max: 3)
            let oldText = try ctx.strArg(a[0], "replace", "argument 1")
            let new = Array(try ctx.strArg(a[1], "replace", "argument 2").utf8)
            let count = a.count > 2 ? try ctx.intArg(a[2]) : -1
            let text = me(s)
            // Works on UTF-8 bytes: a match of one valid UTF-8 string in another always starts and
            // ends on character boundaries, and byte arrays grow in amortized constant time (the
            // scalar view's appends and `count` made this quadratic).
            var out: [UInt8] = []
            if oldText.isEmpty {
                // Inserts `new` before each character and at the end: the size is known up front.
                let characters = text.unicodeScalars.count
                let inserts = count < 0 ? characters + 1 : min(count, characters + 1)
                try ctx.checkSize(new.count, times: inserts)
                try ctx.checkSize(text.utf8.count + new.count * inserts)
                out.reserveCapacity(text.utf8.count + new.count * inserts)
                var replaced = 0
                for scalar in text.unicodeScalars {
                    if replaced < inserts { out.append(contentsOf: new); replaced += 1 }
                    UTF8.encode(scalar) { out.append($0) }
                }
                if replaced < inserts { out.append(contentsOf: new) }
                return .str(String(decoding: out, as: UTF8.self))
            }
            let hay = Array(text.utf8), needle = Array(oldText.utf8)
            out.reserveCapacity(hay.count)
            var replaced = 0, i = 0, copied = 0
            while i + needle.count <= hay.count, count < 0 || replaced < count {
                if hay[i] == needle[0], hay[i..<(i + needle.count)].elementsEqual(needle) {
                    out.append(contentsOf: hay[copied..<i])
                    out.append(contentsOf: new)
                    i += needle.count
                    copied = i
                    replaced += 1
                    if out.count > ctx.interpreter.maxValueBytes { try ctx.checkSize(out.count) }
                } else {
                    i += 1
                }
            }
            if replaced == 0 { return .str(text) }
            out.append(contentsOf: hay[copied...])
            try ctx.checkSize(out.count)
            return .str(String(decoding: out, as: UTF8.self))
        }
        for (name, reverse, raises) in [("find", false, false), ("rfind", true, false), ("index", false, true), ("rindex", true, true)] {
            t.method(
                name, "\(name)(sub[, start[, end]])",
                doc:
                    "Return the \(reverse ? "highest" : "lowest") index in the string where substring sub is found\(raises ? "; raise ValueError when it is not" : ", or -1")."
            ) { ctx, s, a in
                try a.check(name, min: 1, max: 3)
                let hay = Array(me(s).unicodeScalars)
                let needle = Array(try ctx.strArg(a[0], name).unicodeScalars)
                let (start, end) = try range(ctx, a.count > 1 ? a[1] : nil, a.count > 2 ? a[2] : nil, hay.count)
                let i = start > end ? -1 : find(hay, needle, start, end, reverse: reverse)
                if i < 0 && raises { throw PyError.value("substring not found") }
                return .int(i)
            }
        }
        t.method("count", "count(sub[, start[, end]])", doc: "Return the number of non-overlapping occurrences of substring sub.") { ctx, s, a in
            try a.check("count", min: 1, max: 3)
            let hay = Array(me(s).unicodeScalars)
            let needle = Array(try ctx.strArg(a[0], "count").unicodeScalars)
            let (start, end) = try range(ctx, a.count > 1 ? a[1] : nil, a.count > 2 ? a[2] : nil, hay.count)
            if start > end { return .int(0) }
            return .int(count(hay, needle, start, end))
        }
        for (name, isStart) in [("startswith", true), ("endswith", false)] {
            t.method(
                name, "\(name)(\(isStart ? "prefix" : "suffix")[, start[, end]])",
                doc: "Return True if the string \(isStart ? "starts" : "ends") with the specified \(isStart ? "prefix" : "suffix")."
            ) { ctx, s, a in
                try a.check(name, min: 1, max: 3)
                let options = try stringOrTuple(ctx, a[0], name)
                let c = Array(me(s).unicodeScalars)
                let (start, end) = try range(ctx, a.count > 1 ? a[1] : nil, a.count > 2 ? a[2] : nil, c.count)
                if start > end { return .false }
                let window = c[start..<end]
                for o in options {
                    let p = Array(o.unicodeScalars)
                    if isStart ? window.starts(with: p) : window.reversed().starts(with: p.reversed()) { return .true }
                }
                return .false
            }
        }
        t.method("removeprefix", "removeprefix(prefix, /)", doc: "Return a str with the given prefix string removed if present.") { ctx, s, a in
            try a.check("removeprefix", min: 1, max: 1)
            let p = try ctx.strArg(a[0], "removeprefix")
            let x = me(s)
            return .str(x.unicodeScalars.starts(with: p.unicodeScalars) ? str(x.unicodeScalars.dropFirst(p.unicodeScalars.count)) : x)
        }
        t.method("removesuffix", "removesuffix(suffix, /)", doc: "Return a str with the given suffix string removed if present.") { ctx, s, a in
            try a.check("removesuffix", min: 1, max: 1)
            let p = try ctx.strArg(a[0], "removesuffix")
            let x = me(s)
            let c = Array(x.unicodeScalars), q = Array(p.unicodeScalars)
            if !q.isEmpty && c.count >= q.count && Array(c[(c.count - q.count)...]) == q { return .str(str(c[..<(c.count - q.count)])) }
            return .str(x)
        }
        t.method("format", "format(*args, **kwargs)", doc: "Return a formatted version of the string, using substitutions from args and kwargs.") {
            ctx, s, a in
            .str(try ctx.formatMethod(me(s), a))
        }
        t.method("format_map", "format_map(mapping, /)", doc: "Return a formatted version of the string, using substitutions from mapping.") {
            ctx, s, a in
            try a.check("format_map", min: 1, max: 1)
            var kw: [(name: String, value: PyValue)] = []
            for (k, v) in try ctx.mappingPairs(a[0]) { if case .str(let name) = k.value { kw.append((name, v)) } }
            return .str(try ctx.formatMethod(me(s), Args([], keywords: kw)))
        }
        for name in ["isdigit", "isdecimal", "isnumeric", "isalpha", "isalnum", "isspace"] {
            let ascii = asciiTest(name)
            t.method(
                name, "\(name)()", doc: "Return True if all characters in the string are \(name.dropFirst(2)) characters and there is at least one."
            ) { _, s, _ in
                let x = me(s)
                // ASCII text (nearly all of it) is tested byte by byte: a scalar's properties
                // cost a table lookup each, minutes on the largest strings a session allows.
                if StringIndex.isASCII(x) { return .bool(!x.isEmpty && x.utf8.allSatisfy(ascii)) }
                let c = x.unicodeScalars
                return .bool(!c.isEmpty && c.allSatisfy { characterTest(name, $0) })
            }
        }
        t.method("isascii", "isascii()", doc: "Return True if all characters in the string are ASCII.") { _, s, _ in .bool(StringIndex.isASCII(me(s)))
        }
        t.method("isprintable", "isprintable()", doc: "Return True if all characters are printable.") { _, s, _ in
            .bool(me(s).unicodeScalars.allSatisfy(Repr.isPrintable))
        }
        t.method("isidentifier", "isidentifier()", doc: "Return True if the string is a valid Python identifier.") { _, s, _ in
            let c = Array(me(s).unicodeScalars)
            guard let f = c.first, Lexer.isIdentifierStart(f) else { return .false }
            return .bool(c.dropFirst().allSatisfy(Lexer.isIdentifierContinue))
        }
        t.method("islower", "islower()", doc: "Return True if the string is a lowercase string.") { _, s, _ in
            let c = me(s).unicodeScalars
            return .bool(c.contains { $0.properties.isCased } && !c.contains { $0.properties.isUppercase || $0.properties.changesWhenLowercased })
        }
        t.method("isupper", "isupper()", doc: "Return True if the string is an uppercase string.") { _, s, _ in
            let c = me(s).unicodeScalars
            return .bool(c.contains { $0.properties.isCased } && !c.contains { $0.properties.isLowercase || $0.properties.changesWhenUppercased })
        }
        t.method("istitle", "istitle()", doc: "Return True if the string is a title-cased string.") { _, s, _ in
            let x = me(s)
            return .bool(x.unicodeScalars.contains { $0.properties.isCased } && title(x) == x)
        }
        t.method("zfill", "zfill(width, /)", doc: "Pad a numeric string with zeros on the left, to fill a field of the given width.") { ctx, s, a in
            try a.check("zfill", min: 1, max: 1)
            let width = try ctx.intArg(a[0])
            let x = me(s)
            let n = StringIndex.count(x)
            guard width > n else { return .str(x) }
            try ctx.checkSize(width)
            let zeros = String.repeating("0", count: width - n)
            if let f = x.first, f == "+" || f == "-" { return .str(String(f) + zeros + x.dropFirst()) }
            return .str(zeros + x)
        }
        for name in ["center", "ljust", "rjust"] {
            t.method(
                name, "\(name)(width, fillchar=' ', /)",
                doc: "Return a \(name == "center" ? "centered" : name == "ljust" ? "left-justified" : "right-justified") string of length width."
            ) { ctx, s, a in
                try a.check(name, min: 1, max: 2)
                let width = try ctx.intArg(a[0])
                let fill = try fillChar(ctx, a.count > 1 ? a[1] : nil, name)
                let x = me(s)
                let n = StringIndex.count(x)
                guard width > n else { return .str(x) }
                try ctx.checkSize(width)
                let marg = width - n
                switch name {
                case "center": return .str(pad(x, width, fill, left: marg / 2 + (marg & width & 1)))
                case "ljust": return .str(pad(x, width, fill, left: 0))
                default: return .str(pad(x, width, fill, left: marg))
                }
            }
        }
        t.method("expandtabs", "expandtabs(tabsize=8)", doc: "Return a copy where all tab characters are expanded using spaces.") { ctx, s, a in
            let p = try a.bind("expandtabs", ["tabsize"])
            let size = try p[0].map { try ctx.intArg($0) } ?? 8
            var out = ""
            var column = 0
            for c in me(s).unicodeScalars {
                if c == "\t" {
                    if size > 0 {
                        let n = size - column % size
                        // A huge tabsize would otherwise allocate without limit (and trap).
                        try ctx.checkSize(n)
                        try ctx.checkSize(out.utf8.count + n)
                        out += String.repeating(" ", count: n)
                        column += n
                    }
                } else {
                    out.unicodeScalars.append(c)
                    column = (c == "\n" || c == "\r") ? 0 : column + 1
                }
            }
            return .str(out)
        }
        for (name, reverse) in [("partition", false), ("rpartition", true)] {
            t.method(name, "\(name)(sep, /)", doc: "Partition the string into three parts using the given separator.") { ctx, s, a in
                try a.check(name, min: 1, max: 1)
                let sep = try ctx.strArg(a[0], name)
                guard !sep.isEmpty else { throw PyError.value("empty separator") }
                let c = Array(me(s).unicodeScalars), n = Array(sep.unicodeScalars)
                let i = find(c, n, 0, c.count, reverse: reverse)
                if i < 0 {
                    return .object(PyTuple(reverse ? [.str(""), .str(""), .str(me(s))] : [.str(me(s)), .str(""), .str("")]))
                }
                return .object(PyTuple([.str(str(c[..<i])), .str(sep), .str(str(c[(i + n.count)...]))]))
            }
        }
        t.method("encode", "encode(encoding='utf-8', errors='strict')", doc: "Not available: this shell has no bytes type.") { _, _, _ in
            throw PyError.notImplemented("bytes are not supported in this shell")
        }
        t.method("__len__") { ctx, s, _ in .int(StringIndex.count(me(s))) }
        t.method("__contains__") { ctx, s, a in .bool(try ctx.contains(s, a[0])) }
        t.method("__getitem__") { ctx, s, a in try ctx.getItem(s, a[0]) }
        t.method("__add__") { ctx, s, a in try ctx.binaryOp(.add, s, a[0]) }
        t.method("__mul__") { ctx, s, a in try ctx.binaryOp(.mul, s, a[0]) }
        t.method("__mod__") { ctx, s, a in try ctx.binaryOp(.mod, s, a[0]) }
        t.method("__eq__") { ctx, s, a in .bool(try ctx.equals(s, a[0])) }
        t.method("__hash__") { ctx, s, _ in .int(try ctx.hash(s)) }
        t.method("__str__") { _, s, _ in s }
        t.method("__repr__") { _, s, _ in .str(Repr.string(me(s))) }
        t.method("__format__") { ctx, s, a in .str(try ctx.format(s, a.positional.first?.stringValue ?? "")) }
        t.staticMethod("maketrans", "maketrans(x, y=None, z=None, /)", doc: "Return a translation table usable for str.translate().") { ctx, a in
            try a.check("maketrans", min: 1, max: 3)
            let d = PyDict()
            if a.count == 1 {
                for (k, v) in try ctx.mappingPairs(a[0]) {
                    if case .str(let s) = k.value, let c = s.unicodeScalars.first {
                        d.set(try PyKey.make(.int(Int(c.value)), ctx), v)
                    } else {
                        d.set(k, v)
                    }
                }
                return .object(d)
            }
            let x = Array(try ctx.strArg(a[0], "maketrans").unicodeScalars), y = Array(try ctx.strArg(a[1], "maketrans").unicodeScalars)
            guard x.count == y.count else { throw PyError.value("the first two maketrans arguments must have equal length") }
            for (p, q) in zip(x, y) { d.set(try PyKey.make(.int(Int(p.value)), ctx), .int(Int(q.value))) }
            if a.count == 3 { for c in try ctx.strArg(a[2], "maketrans").unicodeScalars { d.set(try PyKey.make(.int(Int(c.value)), ctx), .none) } }
            return .object(d)
        }
        t.method("translate", "translate(table, /)", doc: "Replace each character using the given translation table.") { ctx, s, a in
            try a.check("translate", min: 1, max: 1)
            var out = ""
            for c in me(s).unicodeScalars {
                do {
                    let v = try ctx.getItem(a[0], .int(Int(c.value)))
                    switch v {
                    case .none: continue
                    case .str(let r): out += r
                    case .int(let i): if let sc = Unicode.Scalar(i) { out.unicodeScalars.append(sc) }
                    default: throw PyError.type("character mapping must return integer, None or str")
                    }
                } catch let e as PyError where e.isInstance(of: Builtins.lookupErrorType) {
                    out.unicodeScalars.append(c)
                }
            }
            return .str(out)
        }
    }
}

extension Unicode.GeneralCategory {
    var isLetter: Bool {
        switch self {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }
}
