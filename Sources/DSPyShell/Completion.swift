import DSPy

extension ShellEngine {
    /// Tab completion for the text before the cursor: how many characters to replace and the
    /// candidates. Completes magics, names, settings keys (after `%push` and inside
    /// `configure(` / `context(`), attributes after `.`, and a module's input fields inside
    /// its call parentheses.
    public func completions(for text: String) -> (replacing: Int, candidates: [String]) {
        let word = String(text.reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" }.reversed())
        let before = text.dropLast(word.count)
        func filter(_ options: [String]) -> (Int, [String]) {
            (word.count, Array(Set(options.filter { $0.hasPrefix(word) })).sorted())
        }
        let trimmed = text.drop { $0 == " " }
        // %magic names
        if trimmed.hasPrefix("%") && !trimmed.contains(" ") {
            return filter(Array(Magics.catalogue.keys).map { $0 })
        }
        let settingsKeys = Settings.defaultKeys.filter { !["usage_tracker", "caller_predict", "caller_modules", "send_stream", "trace"].contains($0) } + Builtins.lmKnobs
        if trimmed.hasPrefix("%push ") {
            return filter(settingsKeys.map { $0 + "=" })
        }
        if trimmed.hasPrefix("%help ") {
            return filter(Array(Magics.catalogue.keys) + Array(Magics.builtinHelp.keys))
        }
        if trimmed.hasPrefix("%cache ") && !trimmed.dropFirst(7).contains(" ") { return filter(["clear"]) }
        if trimmed.hasPrefix("%calls ") && !trimmed.dropFirst(7).contains(" ") { return filter(["show"]) }
        // attribute after `.`
        if before.hasSuffix(".") {
            let baseName = String(before.dropLast().reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" }.reversed())
            return filter(attributeNames(of: baseName))
        }
        // inside an open call: keyword names
        if let callee = openCallee(String(before)) {
            if callee == "configure" || callee == "context" {
                return filter(settingsKeys.map { $0 + "=" })
            }
            if callee == "configure_cache" {
                return filter(["enable_memory_cache=", "enable_disk_cache=", "disk_cache_dir=", "disk_size_limit_bytes=", "memory_max_entries="])
            }
            if case .module(let m)? = variable(callee), let sig = Builtins.signature(of: m) {
                let fields = sig.inputFields.map { $0.name + "=" }
                return filter(fields + definedNames)
            }
        }
        return filter(definedNames + Array(Builtins.names.keys) + ["await", "with", "True", "False", "None"])
    }

    private func attributeNames(of name: String) -> [String] {
        switch variable(name) {
        case .module?: return Builtins.moduleAttributes
        case .lm?: return ["model", "kwargs", "copy", "history", "inspect_history"]
        case .prediction(let p)?: return p.keys + ["completions", "get_lm_usage"]
        case .example(let e)?: return e.keys + ["with_inputs", "inputs", "labels"]
        case .job?: return ["id", "done", "result", "cancel"]
        default:
            if name == "settings" { return Settings.defaultKeys }
            if name == "dspy" { return Array(Builtins.names.keys) }
            return []
        }
    }

    /// The name of the innermost call whose parenthesis is still open, e.g. `qa` in `qa(ques`.
    private func openCallee(_ text: String) -> String? {
        var depth = 0
        var quote: Character?
        var index = text.endIndex
        while index > text.startIndex {
            index = text.index(before: index)
            let c = text[index]
            if let q = quote { if c == q { quote = nil }; continue }
            switch c {
            case "\"", "'": quote = c
            case ")", "]", "}": depth += 1
            case "[", "{": if depth == 0 { return nil }; depth -= 1
            case "(":
                if depth == 0 {
                    let name = text[..<index].reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                    return name.isEmpty ? nil : String(name.reversed())
                }
                depth -= 1
            default: break
            }
        }
        return nil
    }
}
