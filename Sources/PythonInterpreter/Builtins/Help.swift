import Foundation

/// `help(obj)`: signatures and docstrings, read from the same tables that define the objects.
public enum Help {
    public static func overview(_ ctx: ExecContext) -> String {
        """
        Type help(object) for help about object: a function, a class, a module or a value.
        Modules: \(ctx.interpreter.importableModules.filter { !$0.contains(".") }.joined(separator: ", ")).
        """
    }

    /// The help text for a value.
    public static func describe(_ ctx: ExecContext, _ v: PyValue) throws -> String {
        if let hook = ctx.interpreter.hooks.help, let text = try hook(ctx, v) { return text }
        return try standard(ctx, v)
    }

    /// Help as the interpreter itself knows it (embedders call it for what they don't describe).
    public static func standard(_ ctx: ExecContext, _ v: PyValue) throws -> String {
        switch v {
        case .object(let o):
            switch o {
            case let f as PyFunction:
                var s = "Help on function \(f.name) in module \(f.module):\n\n"
                s += (f.isAsync ? "async " : "") + f.name + f.code.signatureText + "\n"
                if case .str(let doc) = f.doc { s += indent(cleandoc(doc)) + "\n" }
                return s
            case let f as PyBuiltinFunction:
                return "Help on built-in function \(f.name):\n\n\(f.signature)\n" + (f.doc.isEmpty ? "" : indent(f.doc) + "\n")
            case let m as PyBoundMethod:
                if case .object(let n as PyNativeMethod) = m.function {
                    return "Help on method \(n.name) of \(m.receiver.typeName) object:\n\n\(n.signature)\n"
                        + (n.doc.isEmpty ? "" : indent(n.doc) + "\n")
                }
                return try standard(ctx, m.function)
            case let n as PyNativeMethod:
                return "Help on method \(n.name):\n\n\(n.signature)\n" + (n.doc.isEmpty ? "" : indent(n.doc) + "\n")
            case let t as PyType:
                return classHelp(ctx, t)
            case let m as PyModule:
                var s = "Help on module \(m.name):\n\n"
                if let doc = m.doc { s += indent(doc) + "\n\n" }
                let names = m.globals.names.filter { !$0.hasPrefix("_") }.sorted()
                if !names.isEmpty { s += "Contents:\n" + indent(names.joined(separator: ", ")) + "\n" }
                return s
            default:
                return classHelp(ctx, o.type)
            }
        default:
            return classHelp(ctx, v.type)
        }
    }

    static func classHelp(_ ctx: ExecContext, _ t: PyType) -> String {
        var s = "Help on class \(t.name) in module \(t.module):\n\n"
        let bases = t.bases.filter { $0 !== Builtins.objectType }.map(\.name)
        s += "class \(t.name)" + (bases.isEmpty ? "" : "(" + bases.joined(separator: ", ") + ")") + "\n"
        if let doc = t.doc { s += indent(cleandoc(doc)) + "\n" }
        var methods: [String] = []
        var attributes: [String] = []
        for c in t.mro where c !== Builtins.objectType {
            for (k, v) in c.dict.pairs {
                guard case .str(let name) = k.value, !name.hasPrefix("_") || name == "__init__" || name == "__call__" else { continue }
                switch v {
                case .object(let f as PyFunction):
                    let doc = f.doc.stringValue.map { " — " + firstLine($0) } ?? ""
                    methods.append("\(name)\(f.code.signatureText)\(doc)")
                case .object(let n as PyNativeMethod):
                    methods.append(n.signature + (n.doc.isEmpty ? "" : " — " + firstLine(n.doc)))
                case .object(let p as PyNativeProperty):
                    attributes.append(name + (p.doc.isEmpty ? "" : " — " + firstLine(p.doc)))
                case .object(let p as PyProperty):
                    attributes.append(name + (p.doc.stringValue.map { " — " + firstLine($0) } ?? ""))
                case .object(is PyStaticMethod), .object(is PyClassMethod):
                    methods.append(name + "(...)")
                default:
                    if !name.hasPrefix("_") { attributes.append(name) }
                }
            }
        }
        if !methods.isEmpty { s += "\n Methods:\n" + methods.map { "   " + $0 }.joined(separator: "\n") + "\n" }
        if !attributes.isEmpty { s += "\n Attributes:\n" + attributes.map { "   " + $0 }.joined(separator: "\n") + "\n" }
        return s
    }

    public static func firstLine(_ s: String) -> String {
        String(s.split(separator: "\n", omittingEmptySubsequences: true).first ?? "").trimmingCharacters(in: " ")
    }

    static func indent(_ s: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "    " + $0 }.joined(separator: "\n")
    }

    /// `inspect.cleandoc`: strips the common indentation of a docstring.
    public static func cleandoc(_ doc: String) -> String {
        var lines = doc.expandingTabs().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard !lines.isEmpty else { return "" }
        let first = lines[0].trimmingCharacters(in: " ")
        let rest = lines.dropFirst()
        let margin = rest.filter { !$0.trimmingCharacters(in: " ").isEmpty }.map { $0.prefix { $0 == " " }.count }.min() ?? 0
        lines = [first] + rest.map { $0.count >= margin ? String($0.dropFirst(margin)) : $0.trimmingCharacters(in: " ") }
        while let l = lines.first, l.trimmingCharacters(in: " ").isEmpty { lines.removeFirst() }
        while let l = lines.last, l.trimmingCharacters(in: " ").isEmpty { lines.removeLast() }
        return lines.map { String($0.reversed().drop { $0 == " " }.reversed()) }.joined(separator: "\n")
    }
}

extension String {
    func expandingTabs() -> String { replacingOccurrences(of: "\t", with: "        ") }
}

/// A file opened for reading (`open(path)`): the shell writes files only through `%save`.
final class FileObject: PyObject, @unchecked Sendable {
    let path: String
    var lines: [String]
    var position = 0
    var closed = false
    let content: String

    init(path: String, content: String) {
        self.path = path
        self.content = content
        var l: [String] = []
        var current = ""
        for ch in content {
            current.append(ch)
            if ch == "\n" {
                l.append(current)
                current = ""
            }
        }
        if !current.isEmpty { l.append(current) }
        self.lines = l
        super.init(type: Builtins.fileType)
    }

    static func open(_ ctx: ExecContext, _ a: Args) throws -> PyValue {
        let p = try a.bind("open", ["file", "mode", "buffering", "encoding", "errors", "newline"], required: 1)
        guard case .str(let path)? = p[0] else { throw PyError.type("expected str, bytes or os.PathLike object, not \(p[0]?.typeName ?? "None")") }
        let mode = try ctx.optional(p[1]).map { try ctx.strArg($0, "open", "argument 'mode'") } ?? "r"
        if mode.contains("w") || mode.contains("a") || mode.contains("x") || mode.contains("+") {
            throw PyError(
                Builtins.permissionErrorType,
                "writing files is not allowed in this shell (open '\(path)' with mode '\(mode)'); %save FILE writes the session")
        }
        if mode.contains("b") { throw PyError.notImplemented("binary files are not supported in this shell") }
        let resolved = (path as NSString).expandingTildeInPath
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDir) else {
            throw PyError.fileNotFound("[Errno 2] No such file or directory: \(Repr.string(path))")
        }
        if isDir.boolValue { throw PyError(Builtins.isADirectoryErrorType, "[Errno 21] Is a directory: \(Repr.string(path))") }
        if let attributes = try? FileManager.default.attributesOfItem(atPath: resolved), let size = attributes[.size] as? Int {
            try ctx.checkSize(size)
        }
        guard let data = FileManager.default.contents(atPath: resolved) else {
            throw PyError(Builtins.permissionErrorType, "[Errno 13] Permission denied: \(Repr.string(path))")
        }
        let text = String(decoding: data, as: UTF8.self)
        return .object(FileObject(path: path, content: text))
    }

    func check() throws {
        if closed { throw PyError.value("I/O operation on closed file.") }
    }
}

extension Builtins {
    static let fileType = makeType("TextIOWrapper", module: "_io", native: .init(subclassable: false)) { t in
        @Sendable func file(_ v: PyValue) throws -> FileObject {
            guard let f = v.as(FileObject.self) else { throw PyError.type("not a file") }
            try f.check()
            return f
        }
        t.method("read", "read(size=-1, /)") { ctx, s, a in
            let f = try file(s)
            let rest = f.lines[f.position...].joined()
            f.position = f.lines.count
            if let n = a.positional.first?.smallInt, n >= 0 { return .str(String(rest.prefix(n))) }
            return .str(rest)
        }
        t.method("readline", "readline()") { _, s, _ in
            let f = try file(s)
            guard f.position < f.lines.count else { return .str("") }
            defer { f.position += 1 }
            return .str(f.lines[f.position])
        }
        t.method("readlines", "readlines()") { _, s, _ in
            let f = try file(s)
            defer { f.position = f.lines.count }
            return .object(PyList(f.lines[f.position...].map { .str($0) }))
        }
        t.method("close", "close()") { _, s, _ in
            s.as(FileObject.self)?.closed = true
            return .none
        }
        t.method("__enter__") { _, s, _ in s }
        t.method("__exit__") { _, s, _ in
            s.as(FileObject.self)?.closed = true
            return .false
        }
        t.method("__iter__") { _, s, _ in
            let f = try file(s)
            return .object(
                ClosureIterator(name: "file") { _ in
                    guard !f.closed, f.position < f.lines.count else { return nil }
                    defer { f.position += 1 }
                    return .str(f.lines[f.position])
                })
        }
        t.property("name", get: { _, s in .str(s.as(FileObject.self)?.path ?? "") })
        t.property("closed", get: { _, s in .bool(s.as(FileObject.self)?.closed ?? true) })
        t.method("__repr__") { _, s, _ in .str("<_io.TextIOWrapper name=\(Repr.string(s.as(FileObject.self)?.path ?? "")) mode='r' encoding='UTF-8'>")
        }
    }
}
