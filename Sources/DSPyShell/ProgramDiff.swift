import DSPy

/// What `%diff` prints: per predictor, what differs between two versions of a program
/// (instructions, field prefixes and descriptions, demos), as `-`/`+` lines.
enum ProgramDiff {
    static func render(before: [(String, Predict)], after: [(String, Predict)], names: (String, String), color: Bool) -> String {
        let red = color ? "\u{1B}[31m" : "", green = color ? "\u{1B}[32m" : "", bold = color ? "\u{1B}[1m" : "", reset = color ? "\u{1B}[0m" : ""
        var out = "\(red)--- \(names.0)\(reset)\n\(green)+++ \(names.1)\(reset)\n"
        var changed = false
        let afterByName = Dictionary(after.map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
        let beforeNames = Set(before.map(\.0))
        for (name, old) in before {
            guard let new = afterByName[name] else {
                out += "\(bold)\(name)\(reset): only in \(names.0)\n"
                changed = true
                continue
            }
            var lines: [String] = []
            let (s0, s1) = (old.signature, new.signature)
            if s0.instructions != s1.instructions {
                lines.append("  instructions:")
                lines += s0.instructions.split(separator: "\n", omittingEmptySubsequences: false).map { "\(red)  - \($0)\(reset)" }
                lines += s1.instructions.split(separator: "\n", omittingEmptySubsequences: false).map { "\(green)  + \($0)\(reset)" }
            }
            for (f0, f1) in zip(s0.fields, s1.fields) where f0.name == f1.name {
                if f0.prefix != f1.prefix {
                    lines.append("  \(f0.name) prefix: \(red)\(f0.prefix.pythonQuoted)\(reset) -> \(green)\(f1.prefix.pythonQuoted)\(reset)")
                }
                if f0.description != f1.description {
                    lines.append(
                        "  \(f0.name) description: \(red)\((f0.description ?? "").pythonQuoted)\(reset) -> \(green)\((f1.description ?? "").pythonQuoted)\(reset)"
                    )
                }
            }
            if s0.fields.map(\.name) != s1.fields.map(\.name) {
                lines.append("  fields: \(red)\(s0.signatureString)\(reset) -> \(green)\(s1.signatureString)\(reset)")
            }
            let d0 = old.demos.map { Value.object($0.values) }, d1 = new.demos.map { Value.object($0.values) }
            if d0 != d1 {
                lines.append("  demos: \(d0.count) -> \(d1.count)")
                for d in d0 where !d1.contains(d) { lines.append("\(red)  - \(demoLine(d))\(reset)") }
                for d in d1 where !d0.contains(d) { lines.append("\(green)  + \(demoLine(d))\(reset)") }
            }
            if (old.lm?.model) != (new.lm?.model) {
                lines.append("  lm: \(red)\(old.lm?.description ?? "None")\(reset) -> \(green)\(new.lm?.description ?? "None")\(reset)")
            }
            if !lines.isEmpty {
                changed = true
                out += "\(bold)\(name)\(reset):\n" + lines.joined(separator: "\n") + "\n"
            }
        }
        for (name, _) in after where !beforeNames.contains(name) {
            out += "\(bold)\(name)\(reset): only in \(names.1)\n"
            changed = true
        }
        if !changed { out += "(no differences: the same instructions, fields and demos)\n" }
        return out
    }

    /// One demo on one line, each value cut to 60 characters.
    static func demoLine(_ demo: Value) -> String {
        guard case .object(let o) = demo else { return demo.pythonRepr }
        return o.map { k, v in
            let text = v.stringValue.map { $0.pythonQuoted } ?? v.pythonRepr
            let flat = text.replacingOccurrences(of: "\n", with: " ")
            return "\(k)=" + (flat.count > 60 ? String(flat.prefix(59)) + "…" : flat)
        }.joined(separator: ", ")
    }
}

extension String {
    /// Python's repr of a str.
    var pythonQuoted: String { Value.string(self).pythonRepr }
}
