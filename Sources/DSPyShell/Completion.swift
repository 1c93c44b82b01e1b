import DSPy
import PythonInterpreter

extension ShellEngine {
    /// Tab completion for the text before the cursor: how many characters to replace and the
    /// candidates. Completes magics, names, settings keys (after `%push` and inside
    /// `configure(` / `context(`), attributes after `.` (read from the objects themselves), and a
    /// module's input fields inside its call parentheses.
    public func completions(for text: String) -> (replacing: Int, candidates: [String]) {
        let word = String(text.reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" }.reversed())
        let before = text.dropLast(word.count)
        func filter(_ options: [String]) -> (Int, [String]) {
            (word.count, Array(Set(options.filter { $0.hasPrefix(word) })).sorted())
        }
        let trimmed = text.drop { $0 == " " }
        if trimmed.hasPrefix("%") && !trimmed.contains(" ") {
            let names = Array(Magics.catalogue.keys)
            let matches = names.filter { $0.hasPrefix(word) }.sorted()
            // A single match completes with the space that follows a magic.
            if matches.count == 1 { return (word.count, [matches[0] + " "]) }
            return (word.count, matches)
        }
        if trimmed.hasPrefix("%push ") { return filter(SettingsBinding.userKeys.map { $0 + "=" }) }
        if trimmed.hasPrefix("%help ") { return filter(Array(Magics.catalogue.keys) + DSPyModule.members().map(\.0)) }
        if trimmed.hasPrefix("%cache ") && !trimmed.dropFirst(7).contains(" ") { return filter(["clear"]) }
        if trimmed.hasPrefix("%calls ") && !trimmed.dropFirst(7).contains(" ") { return filter(["show", "clear"]) }
        if before.hasSuffix(".") {
            let path = String(before.dropLast().reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }.reversed())
            return filter(attributeNames(of: path).filter { !$0.hasPrefix("_") || word.hasPrefix("_") })
        }
        if let callee = openCallee(String(before)) {
            let last = callee.split(separator: ".").last.map(String.init) ?? callee
            if last == "configure" || last == "context" { return filter(SettingsBinding.userKeys.map { $0 + "=" }) }
            if last == "configure_cache" {
                return filter(["enable_memory_cache=", "enable_disk_cache=", "disk_cache_dir=", "disk_size_limit_bytes=", "memory_max_entries="])
            }
            let fields: [String] =
                interpreter.withLock(timeout: .milliseconds(200)) { ctx in
                    guard let v = try? resolve(callee, ctx), let m = v.as(ModuleObject.self),
                        let sig = ModuleBinding.signature(of: m.peer)
                    else { return [] }
                    return sig.inputFields.map { $0.name + "=" }
                } ?? []
            if !fields.isEmpty { return filter(fields + definedNames) }
        }
        let names =
            interpreter.withLock(timeout: .milliseconds(200)) { _ in
                interpreter.main.globals.names + interpreter.builtins.names
            } ?? []
        return filter(
            names.filter { !$0.hasPrefix("_") } + [
                "await", "with", "for", "while", "def", "class", "async", "import", "from", "return", "True", "False", "None",
            ])
    }

    /// A dotted name's value, looked up without running code (modules, classes, instance
    /// attributes and names only).
    func resolve(_ path: String, _ ctx: ExecContext) throws -> PyValue? {
        let parts = path.split(separator: ".").map(String.init)
        guard let first = parts.first, var v = interpreter.main.globals.get(first) ?? interpreter.builtins.get(first) else { return nil }
        for p in parts.dropFirst() {
            switch v {
            case .object(let m as PyModule): guard let x = m.globals.get(p) else { return nil }; v = x
            case .object(let t as PyType): guard let x = t.lookup(p) else { return nil }; v = x
            case .object(let o):
                guard let x = o.instanceDict?.getString(p) else { return nil }
                v = x
            default: return nil
            }
        }
        return v
    }

    private func attributeNames(of path: String) -> [String] {
        interpreter.withLock(timeout: .milliseconds(200)) { ctx in
            guard let v = try? resolve(path, ctx) else { return [] }
            var names = ctx.dir(v)
            if let r = v.as(RecordObject.self) { names += r.store.keyList.compactMap(\.stringValue) }
            if v.as(PyInstance.self) != nil, let settings = v.as(PyInstance.self), settings.type === DSPyTypes.settings {
                names += Settings.defaultKeys
            }
            return names
        } ?? []
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
                    let name = text[..<index].reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }
                    return name.isEmpty ? nil : String(name.reversed())
                }
                depth -= 1
            default: break
            }
        }
        return nil
    }
}
