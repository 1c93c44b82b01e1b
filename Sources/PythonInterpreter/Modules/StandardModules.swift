import BigInt
import Foundation

/// The modules `import` finds: asyncio, os (and os.path), json, math, random, re, typing,
/// time, sys, itertools, and those written in Python (collections, functools, dataclasses, copy,
/// string, textwrap). Anything else is a `ModuleNotFoundError` that lists these.
enum StandardModules {
    static func register(into interp: Interpreter) {
        interp.registerModule("sys") { interp in makeSys(interp) }
        interp.registerModule("time") { _ in makeTime() }
        interp.registerModule("os") { interp in try makeOS(interp) }
        interp.registerModule("os.path") { _ in makeOSPath() }
        interp.registerModule("math") { _ in MathModule.make() }
        interp.registerModule("json") { _ in JSONModule.make() }
        interp.registerModule("random") { _ in RandomModule.make() }
        interp.registerModule("re") { _ in RegexModule.make() }
        interp.registerModule("typing") { _ in TypingModule.make() }
        interp.registerModule("asyncio") { _ in AsyncioModule.make() }
        interp.registerModule("itertools") { _ in ItertoolsModule.make() }
        PythonSourceModules.register(into: interp)
        LoggingModule.register(into: interp)
    }

    static func makeSys(_ interp: Interpreter) -> PyModule {
        let m = PyModule(name: "sys", doc: "System-specific parameters and functions (the parts this shell has).")
        m.define("stdout", .object(PyStream(isError: false)))
        m.define("stderr", .object(PyStream(isError: true)))
        m.define("argv", .object(PyList([.str("")])))
        m.define("maxsize", .int(Int.max))
        m.define("version", .str("3.11.7 (dspy-repl Python subset)"))
        m.define("version_info", .object(PyTuple([.int(3), .int(11), .int(7), .str("final"), .int(0)])))
        m.define("platform", .str("linux"))
        m.define("byteorder", .str("little"))
        m.define(
            "float_info",
            .object(
                PyTuple([
                    .float(Double.greatestFiniteMagnitude), .int(1024), .int(308),
                    .float(Double.leastNormalMagnitude), .int(-1021), .int(-307), .int(15),
                    .int(53), .float(Double.ulpOfOne), .int(2), .int(1),
                ])))
        m.define("modules", .object(PyDict()))
        m.function("exit", "exit(status=None, /)", doc: "Exit the interpreter by raising SystemExit(status).") { _, a in
            throw PyError(PyExceptionObject(cls: Builtins.systemExitType, args: Array(a.positional.prefix(1))))
        }
        m.function("getrecursionlimit", "getrecursionlimit()", doc: "Return the current value of the recursion limit.") { ctx, _ in
            .int(ctx.interpreter.recursionLimit)
        }
        m.function("setrecursionlimit", "setrecursionlimit(limit, /)", doc: "Set the maximum depth of the Python interpreter stack.") { ctx, a in
            try a.check("setrecursionlimit", min: 1, max: 1)
            let n = try ctx.intArg(a[0])
            guard n >= 1 else { throw PyError.value("recursion limit must be greater or equal than 1") }
            // Deep recursion is still bounded by the native stack check.
            ctx.interpreter.recursionLimit = min(n, 20_000)
            return .none
        }
        m.function("getsizeof", "getsizeof(obj, /)", doc: "Return the size of an object in bytes (an estimate).") { ctx, a in
            try a.check("getsizeof", min: 1, max: 1)
            switch a[0] {
            case .str(let s): return .int(49 + s.utf8.count)
            case .object(let l as PyList): return .int(56 + 8 * l.items.count)
            default: return .int(28)
            }
        }
        m.function("set_int_max_str_digits", "set_int_max_str_digits(maxdigits)") { _, _ in .none }
        return m
    }

    static func makeTime() -> PyModule {
        let m = PyModule(name: "time", doc: "Time access and conversions.")
        m.function("time", "time()", doc: "Return the current time in seconds since the Epoch.") { _, _ in .float(Date().timeIntervalSince1970) }
        m.function("time_ns", "time_ns()", doc: "Return the current time in nanoseconds since the Epoch.") { _, _ in
            .int(Int(Date().timeIntervalSince1970 * 1e9))
        }
        m.function("monotonic", "monotonic()", doc: "Monotonic clock, cannot go backward.") { _, _ in
            .float(Double(DispatchTime.now().uptimeNanoseconds) / 1e9)
        }
        m.function("perf_counter", "perf_counter()", doc: "Performance counter for benchmarking.") { _, _ in
            .float(Double(DispatchTime.now().uptimeNanoseconds) / 1e9)
        }
        m.function("sleep", "sleep(seconds, /)", doc: "Delay execution for a given number of seconds (Ctrl-C stops it).") { ctx, a in
            try a.check("sleep", min: 1, max: 1)
            let s = try ctx.toDouble(a[0])
            guard s >= 0 else { throw PyError.value("sleep length must be non-negative") }
            guard s.isFinite else { throw PyError.overflow("sleep length is too large") }
            try ctx.sleep(s)
            return .none
        }
        m.function("strftime", "strftime(format, t=None, /)", doc: "Convert the current local time to a string as specified by the format.") {
            ctx, a in
            try a.check("strftime", min: 1, max: 2)
            let format = try ctx.strArg(a[0], "strftime")
            var t = time(nil)
            var tmValue = tm()
            localtime_r(&t, &tmValue)
            var buffer = [CChar](repeating: 0, count: 256)
            let n = strftime(&buffer, buffer.count, format, &tmValue)
            return .str(String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return m
    }

    static func makeOS(_ interp: Interpreter) throws -> PyModule {
        let m = PyModule(name: "os", doc: "Operating system interfaces: environment variables (changes stay in this session) and paths.")
        m.define("environ", .object(EnvironMapping(interp.environment)))
        m.define("sep", .str("/"))
        m.define("linesep", .str("\n"))
        m.define("name", .str("posix"))
        m.function("getenv", "getenv(key, default=None)", doc: "Get an environment variable, or default.") { ctx, a in
            let p = try a.bind("getenv", ["key", "default"], required: 1)
            guard let key = p[0] else { return .none }
            let k = try ctx.strArg(key, "getenv", "argument 'key'")
            return ctx.interpreter.environment.getString(k) ?? p[1] ?? .none
        }
        m.function("getcwd", "getcwd()", doc: "Return the current working directory.") { _, _ in .str(FileManager.default.currentDirectoryPath) }
        m.function("listdir", "listdir(path='.')", doc: "Return the names of the entries in a directory.") { ctx, a in
            let path = try a.positional.first.map { try ctx.strArg($0, "listdir") } ?? "."
            do {
                return .object(PyList(try FileManager.default.contentsOfDirectory(atPath: path).sorted().map { .str($0) }))
            } catch {
                throw PyError.fileNotFound("[Errno 2] No such file or directory: \(Repr.string(path))")
            }
        }
        for name in ["system", "remove", "unlink", "mkdir", "makedirs", "rmdir", "rename", "popen", "kill"] {
            m.function(name, "\(name)(...)", doc: "Not available in this shell.") { _, _ in
                throw PyError(Builtins.permissionErrorType, "os.\(name)() is not available in this shell: it runs no processes and changes no files")
            }
        }
        m.define("path", .object(makeOSPath()))
        return m
    }

    /// posixpath.normpath: collapses `//`, `.` and `dir/..` without touching the file system.
    static func normalizePath(_ path: String) -> String {
        if path.isEmpty { return "." }
        let leading = path.hasPrefix("//") && !path.hasPrefix("///") ? 2 : (path.hasPrefix("/") ? 1 : 0)
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part != ".." || (leading == 0 && parts.isEmpty) || parts.last == ".." {
                parts.append(part)
            } else if !parts.isEmpty {
                parts.removeLast()
            }
        }
        let joined = String(repeating: "/", count: leading) + parts.joined(separator: "/")
        return joined.isEmpty ? "." : joined
    }

    static func makeOSPath() -> PyModule {
        let m = PyModule(name: "posixpath", doc: "Common pathname manipulations.")
        m.function("join", "join(a, *p)", doc: "Join two or more pathname components.") { ctx, a in
            guard a.count >= 1 else { throw PyError.type("join() missing 1 required positional argument: 'a'") }
            var out = ""
            for v in a.positional {
                let part = try ctx.strArg(v, "join")
                if part.hasPrefix("/") { out = part } else if out.isEmpty || out.hasSuffix("/") { out += part } else { out += "/" + part }
            }
            return .str(out)
        }
        m.function("basename", "basename(p)") { ctx, a in
            let p = try ctx.strArg(a[0], "basename")
            return .str(p.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? "")
        }
        m.function("dirname", "dirname(p)") { ctx, a in
            let p = try ctx.strArg(a[0], "dirname")
            guard let i = p.lastIndex(of: "/") else { return .str("") }
            var head = String(p[..<i])
            if head.isEmpty { head = "/" }
            while head.count > 1 && head.hasSuffix("/") { head.removeLast() }
            return .str(head)
        }
        m.function("splitext", "splitext(p)") { ctx, a in
            let p = try ctx.strArg(a[0], "splitext")
            let base = p.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? p
            if let dot = base.lastIndex(of: "."), dot != base.startIndex, base[..<dot].contains(where: { $0 != "." }) {
                let ext = String(base[dot...])
                return .object(PyTuple([.str(String(p.dropLast(ext.count))), .str(ext)]))
            }
            return .object(PyTuple([.str(p), .str("")]))
        }
        m.function("split", "split(p)") { ctx, a in
            let p = try ctx.strArg(a[0], "split")
            guard let i = p.lastIndex(of: "/") else { return .object(PyTuple([.str(""), .str(p)])) }
            var head = String(p[...i])
            if head.count > 1 { head = String(head.dropLast()) }
            return .object(PyTuple([.str(head), .str(String(p[p.index(after: i)...]))]))
        }
        m.function("exists", "exists(path)") { ctx, a in .bool(FileManager.default.fileExists(atPath: try ctx.strArg(a[0], "exists"))) }
        m.function("isfile", "isfile(path)") { ctx, a in
            var d: ObjCBool = false
            return .bool(FileManager.default.fileExists(atPath: try ctx.strArg(a[0], "isfile"), isDirectory: &d) && !d.boolValue)
        }
        m.function("isdir", "isdir(path)") { ctx, a in
            var d: ObjCBool = false
            return .bool(FileManager.default.fileExists(atPath: try ctx.strArg(a[0], "isdir"), isDirectory: &d) && d.boolValue)
        }
        m.function("expanduser", "expanduser(path)") { ctx, a in .str((try ctx.strArg(a[0], "expanduser") as NSString).expandingTildeInPath) }
        m.function("abspath", "abspath(path)") { ctx, a in
            let p = try ctx.strArg(a[0], "abspath")
            return .str(normalizePath(p.hasPrefix("/") ? p : FileManager.default.currentDirectoryPath + "/" + p))
        }
        m.function("isabs", "isabs(path)") { ctx, a in .bool(try ctx.strArg(a[0], "isabs").hasPrefix("/")) }
        m.function("normpath", "normpath(path)", doc: "Normalize path, eliminating double slashes, etc.") { ctx, a in
            .str(normalizePath(try ctx.strArg(a[0], "normpath")))
        }
        m.define("sep", .str("/"))
        return m
    }
}

/// `os.environ`: the session's copy of the environment; assignments stay in the session.
final class EnvironMapping: PyObject, @unchecked Sendable {
    // Sendable proof: as PyObject (interpreter lock).
    let dict: PyDict
    init(_ dict: PyDict) {
        self.dict = dict
        super.init(type: Builtins.environType)
    }
}

extension Builtins {
    static let environType = makeType("_Environ", module: "os", native: .init(subclassable: false)) { t in
        @Sendable func env(_ v: PyValue) -> PyDict { v.as(EnvironMapping.self)?.dict ?? PyDict() }
        t.method("__getitem__") { ctx, s, a in
            guard case .str = a[0] else { throw PyError.type("str expected, not \(a[0].typeName)") }
            guard let v = env(s).get(try PyKey.make(a[0], ctx)) else { throw PyError.key(a[0]) }
            return v
        }
        t.method("__setitem__") { ctx, s, a in
            guard case .str = a[0] else { throw PyError.type("str expected, not \(a[0].typeName)") }
            guard case .str = a[1] else { throw PyError.type("str expected, not \(a[1].typeName)") }
            env(s).set(try PyKey.make(a[0], ctx), a[1])
            return .none
        }
        t.method("__delitem__") { ctx, s, a in
            guard env(s).remove(try PyKey.make(a[0], ctx)) != nil else { throw PyError.key(a[0]) }
            return .none
        }
        t.method("__contains__") { ctx, s, a in .bool(env(s).contains(try PyKey.make(a[0], ctx))) }
        t.method("__iter__") { _, s, _ in .object(ArrayIterator(env(s).keyList, name: "dict_keyiterator")) }
        t.method("__len__") { _, s, _ in .int(env(s).count) }
        t.method("get", "get(key, default=None)") { ctx, s, a in
            try a.check("get", min: 1, max: 2)
            return env(s).get(try PyKey.make(a[0], ctx)) ?? (a.count > 1 ? a[1] : .none)
        }
        t.method("setdefault", "setdefault(key, default)") { ctx, s, a in
            let k = try PyKey.make(a[0], ctx)
            if let v = env(s).get(k) { return v }
            env(s).set(k, a.count > 1 ? a[1] : .none)
            return a.count > 1 ? a[1] : .none
        }
        t.method("pop", "pop(key[, default])") { ctx, s, a in
            if let v = env(s).remove(try PyKey.make(a[0], ctx)) { return v }
            if a.count > 1 { return a[1] }
            throw PyError.key(a[0])
        }
        t.method("keys", "keys()") { _, s, _ in .object(PyDictView(env(s), .keys)) }
        t.method("values", "values()") { _, s, _ in .object(PyDictView(env(s), .values)) }
        t.method("items", "items()") { _, s, _ in .object(PyDictView(env(s), .items)) }
        t.method("copy", "copy()") { _, s, _ in .object(env(s).copy()) }
        t.method("__repr__") { ctx, s, _ in .str("environ(" + (try ctx.repr(.object(env(s)))) + ")") }
    }
}
