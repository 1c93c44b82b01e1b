import BigInt
import Foundation

/// The `builtins` namespace: functions, types, exceptions and constants.
enum BuiltinFunctions {
    static func install(into interp: Interpreter) {
        let b = interp.builtins
        for t in [
            Builtins.objectType, Builtins.typeType, Builtins.intType, Builtins.floatType, Builtins.boolType,
            Builtins.strType, Builtins.listType, Builtins.tupleType, Builtins.dictType, Builtins.setType,
            Builtins.frozensetType, Builtins.rangeType, Builtins.sliceType, Builtins.propertyType,
            Builtins.staticMethodType, Builtins.classMethodType, Builtins.superType,
        ] {
            b.set(t.name, .object(t))
        }
        for t in Builtins.exceptionTypes { b.set(t.name, .object(t)) }
        b.set("None", .none)
        b.set("True", .true)
        b.set("False", .false)
        b.set("NotImplemented", Builtins.notImplemented)
        b.set("Ellipsis", Builtins.ellipsis)
        b.set("__name__", .str("builtins"))
        b.set("__debug__", .true)
        b.set("EnvironmentError", .object(Builtins.osErrorType))
        b.set("IOError", .object(Builtins.osErrorType))

        interp.function(
            "print", "print(*args, sep=' ', end='\\n', file=None, flush=False)",
            doc: "Prints the values to a stream, or to sys.stdout by default."
        ) { ctx, a in
            var sep = " ", end = "\n"
            var toError = false
            for (k, v) in a.keywords {
                switch k {
                case "sep":
                    if !v.isNone {
                        guard case .str(let s) = v else { throw PyError.type("sep must be None or a string, not \(v.typeName)") }; sep = s
                    }
                case "end":
                    if !v.isNone {
                        guard case .str(let s) = v else { throw PyError.type("end must be None or a string, not \(v.typeName)") }; end = s
                    }
                case "flush": break
                case "file":
                    if v.isNone { continue }
                    guard let stream = v.as(PyStream.self) else { throw PyError.type("print() file must be sys.stdout or sys.stderr in this shell") }
                    toError = stream.isError
                default: throw PyError.type("'\(k)' is an invalid keyword argument for print()")
                }
            }
            var text = ""
            for (i, v) in a.positional.enumerated() {
                if i > 0 { text += sep }
                text += try ctx.str(v)
            }
            text += end
            if toError { ctx.interpreter.hooks.writeError(text) } else { ctx.interpreter.hooks.writeOutput(text) }
            return .none
        }
        interp.function("len", "len(obj, /)", doc: "Return the number of items in a container.") { ctx, a in
            try a.check("len", min: 1, max: 1)
            return .int(try ctx.len(a[0]))
        }
        interp.function("repr", "repr(obj, /)", doc: "Return the canonical string representation of the object.") { ctx, a in
            try a.check("repr", min: 1, max: 1)
            return .str(try ctx.repr(a[0]))
        }
        interp.function("ascii", "ascii(obj, /)", doc: "Like repr(), with non-ASCII characters escaped.") { ctx, a in
            try a.check("ascii", min: 1, max: 1)
            return .str(ctx.ascii(try ctx.repr(a[0])))
        }
        interp.function(
            "isinstance", "isinstance(obj, class_or_tuple, /)", doc: "Return whether an object is an instance of a class or of a subclass thereof."
        ) { ctx, a in
            try a.check("isinstance", min: 2, max: 2)
            return .bool(try ctx.isInstance(a[0], a[1]))
        }
        interp.function(
            "issubclass", "issubclass(cls, class_or_tuple, /)", doc: "Return whether 'cls' is derived from another class or is the same class."
        ) { ctx, a in
            try a.check("issubclass", min: 2, max: 2)
            guard case .object(let t as PyType) = a[0] else { throw PyError.type("issubclass() arg 1 must be a class") }
            return .bool(try ctx.isSubclass(t, a[1]))
        }
        interp.function("hasattr", "hasattr(obj, name, /)", doc: "Return whether the object has an attribute with the given name.") { ctx, a in
            try a.check("hasattr", min: 2, max: 2)
            let name = try ctx.attributeName(a[1], "hasattr")
            do { return .bool(try ctx.lookupAttr(a[0], name) != nil) } catch let e as PyError where e.isInstance(of: Builtins.attributeErrorType) {
                return .false
            }
        }
        interp.function("getattr", "getattr(object, name[, default])", doc: "Get a named attribute from an object.") { ctx, a in
            try a.check("getattr", min: 2, max: 3)
            let name = try ctx.attributeName(a[1], "getattr")
            if a.count == 3 {
                do {
                    return try ctx.lookupAttr(a[0], name) ?? a[2]
                } catch let e as PyError where e.isInstance(of: Builtins.attributeErrorType) {
                    return a[2]
                }
            }
            return try ctx.getAttr(a[0], name)
        }
        interp.function("setattr", "setattr(obj, name, value, /)", doc: "Sets the named attribute on the given object to the specified value.") {
            ctx, a in
            try a.check("setattr", min: 3, max: 3)
            try ctx.setAttr(a[0], try ctx.attributeName(a[1], "setattr"), a[2])
            return .none
        }
        interp.function("delattr", "delattr(obj, name, /)", doc: "Deletes the named attribute from the given object.") { ctx, a in
            try a.check("delattr", min: 2, max: 2)
            try ctx.delAttr(a[0], try ctx.attributeName(a[1], "delattr"))
            return .none
        }
        interp.function("callable", "callable(obj, /)", doc: "Return whether the object is callable.") { ctx, a in
            try a.check("callable", min: 1, max: 1)
            guard case .object(let o) = a[0] else { return .false }
            switch o {
            case is PyFunction, is PyBuiltinFunction, is PyBoundMethod, is PyType, is PyNativeMethod, is PyStaticMethod: return .true
            default: return .bool(o.type.lookup("__call__") != nil)
            }
        }
        interp.function("id", "id(obj, /)", doc: "Return the identity of an object.") { ctx, a in
            try a.check("id", min: 1, max: 1)
            if case .object(let o) = a[0] { return .int(Int(bitPattern: UInt(bitPattern: ObjectIdentifier(o).hashValue))) }
            return .int(try ctx.hash(a[0]) & 0xFFFF_FFFF)
        }
        interp.function("hash", "hash(obj, /)", doc: "Return the hash value for the given object.") { ctx, a in
            try a.check("hash", min: 1, max: 1)
            return .int(try ctx.hash(a[0]))
        }
        interp.function("abs", "abs(x, /)", doc: "Return the absolute value of the argument.") { ctx, a in
            try a.check("abs", min: 1, max: 1)
            switch a[0] {
            case .int(let i): return i == Int.min ? .int(-BigInt(i)) : .int(Swift.abs(i))
            case .bool(let b): return .int(b ? 1 : 0)
            case .float(let d): return .float(Swift.abs(d))
            case .object(let o as PyBigInt): return .int(BigInt(o.value.magnitude))
            default:
                if let r = try ctx.callSpecial(a[0], "__abs__") { return r }
                throw PyError.type("bad operand type for abs(): '\(a[0].typeName)'")
            }
        }
        interp.function("round", "round(number, ndigits=None)", doc: "Round a number to a given precision in decimal digits.") { ctx, a in
            let p = try a.bind("round", ["number", "ndigits"], required: 1)
            guard let v = p[0] else { return .none }
            let digits = try ctx.optional(p[1]).map { try ctx.intArg($0) }
            switch v {
            case .int, .bool, .object(is PyBigInt):
                guard let n = digits, n < 0, let x = v.bigInt else { return v.smallInt.map { .int($0) } ?? v }
                guard n > -1000 else { return .int(0) }
                let scale = BigInt(10).power(-n)
                var (q, r) = x.quotientAndRemainder(dividingBy: scale)
                if r.sign == .minus { q -= 1; r += scale }
                let twice = r * 2
                if twice > scale || (twice == scale && q.magnitude % 2 == 1) { q += 1 }
                return .int(q * scale)
            case .float(let d):
                if let n = digits { return .float(Arith.roundFloat(d, n)) }
                if d.isNaN { throw PyError.value("cannot convert float NaN to integer") }
                if d.isInfinite { throw PyError.overflow("cannot convert float infinity to integer") }
                return .int(BigInt(d.rounded(.toNearestOrEven)))
            default:
                if let m = ctx.special(v, "__round__") {
                    return try ctx.callDescriptor(m, self: v, Args(p[1].map { [$0] } ?? []))
                }
                throw PyError.type("type \(v.typeName) doesn't define __round__ method")
            }
        }
        interp.function("divmod", "divmod(x, y, /)", doc: "Return the tuple (x//y, x%y).") { ctx, a in
            try a.check("divmod", min: 2, max: 2)
            do {
                return .object(PyTuple([try ctx.binaryOp(.floorDiv, a[0], a[1]), try ctx.binaryOp(.mod, a[0], a[1])]))
            } catch let e as PyError where e.isInstance(of: Builtins.typeErrorType) && e.exception.message.hasPrefix("unsupported operand") {
                throw PyError.type("unsupported operand type(s) for divmod(): '\(a[0].typeName)' and '\(a[1].typeName)'")
            } catch let e as PyError where e.isInstance(of: Builtins.zeroDivisionErrorType) && a[0].isIntLike && a[1].isIntLike {
                throw PyError.zeroDivision("integer division or modulo by zero")
            }
        }
        interp.function("pow", "pow(base, exp, mod=None)", doc: "Equivalent to base**exp with 2 arguments or base**exp % mod with 3 arguments.") {
            ctx, a in
            let p = try a.bind("pow", ["base", "exp", "mod"], required: 2)
            guard let base = p[0], let exp = p[1] else { return .none }
            if let m = ctx.optional(p[2]) {
                guard let x = base.bigInt, let y = exp.bigInt, let z = m.bigInt else {
                    throw PyError.type("pow() 3rd argument not allowed unless all arguments are integers")
                }
                return try Arith.powMod(x, y, z, tick: ctx.tick)
            }
            return try ctx.binaryOp(.pow, base, exp)
        }
        interp.function(
            "min", "min(iterable, *[, default=obj, key=func]) / min(arg1, arg2, *args, *[, key=func])",
            doc: "Return the smallest item."
        ) { ctx, a in try extreme(ctx, a, "min", .lt) }
        interp.function(
            "max", "max(iterable, *[, default=obj, key=func]) / max(arg1, arg2, *args, *[, key=func])",
            doc: "Return the largest item."
        ) { ctx, a in try extreme(ctx, a, "max", .gt) }
        interp.function("sum", "sum(iterable, /, start=0)", doc: "Return the sum of a 'start' value (default: 0) plus an iterable of numbers.") {
            ctx, a in
            let p = try a.bind("sum", ["iterable", "start"], required: 1, positionalOnly: 1)
            var total = p[1] ?? .int(0)
            if case .str = total { throw PyError.type("sum() can't sum strings [use ''.join(seq) instead]") }
            guard let iterable = p[0] else { return total }
            var intTotal: Int? = total.smallInt
            if case .bool = total { intTotal = nil }
            var floatTotal: Double?
            if case .float(let d) = total { floatTotal = d; intTotal = nil }
            try ctx.forEach(iterable) { x in
                try ctx.tick()
                if let t = intTotal, case .int(let y) = x {
                    let (r, o) = t.addingReportingOverflow(y)
                    if !o { intTotal = r; return true }
                }
                if let t = floatTotal, case .float(let y) = x { floatTotal = t + y; return true }
                if let t = intTotal { total = .int(t); intTotal = nil }
                if let t = floatTotal { total = .float(t); floatTotal = nil }
                total = try ctx.binaryOp(.add, total, x)
                if case .float(let d) = total { floatTotal = d } else if case .int(let i) = total { intTotal = i }
                return true
            }
            if let t = intTotal { return .int(t) }
            if let t = floatTotal { return .float(t) }
            return total
        }
        interp.function("any", "any(iterable, /)", doc: "Return True if bool(x) is True for any x in the iterable.") { ctx, a in
            try a.check("any", min: 1, max: 1)
            var found = false
            try ctx.forEach(a[0]) { x in
                if try ctx.truthy(x) { found = true; return false }
                return true
            }
            return .bool(found)
        }
        interp.function("all", "all(iterable, /)", doc: "Return True if bool(x) is True for all values x in the iterable.") { ctx, a in
            try a.check("all", min: 1, max: 1)
            var ok = true
            try ctx.forEach(a[0]) { x in
                if try !ctx.truthy(x) { ok = false; return false }
                return true
            }
            return .bool(ok)
        }
        interp.function(
            "sorted", "sorted(iterable, /, *, key=None, reverse=False)",
            doc: "Return a new list containing all items from the iterable in ascending order."
        ) { ctx, a in
            guard a.count == 1 else { throw PyError.type("sorted expected 1 argument, got \(a.count)") }
            var key: PyValue?
            var reverse = false
            for (k, v) in a.keywords {
                switch k {
                case "key": key = ctx.optional(v)
                case "reverse": reverse = try ctx.truthy(v)
                default: throw PyError.type("sort() got an unexpected keyword argument '\(k)'")
                }
            }
            let list = PyList(try ctx.iterateToArray(a[0]))
            try ctx.sortList(list, key: key, reverse: reverse)
            return .object(list)
        }
        interp.function("iter", "iter(iterable) / iter(callable, sentinel)", doc: "Get an iterator from an object.") { ctx, a in
            try a.check("iter", min: 1, max: 2)
            if a.count == 2 {
                let fn = a[0], sentinel = a[1]
                var done = false
                return .object(
                    ClosureIterator(name: "callable_iterator") { ctx in
                        if done { return nil }
                        let v = try ctx.call(fn, Args())
                        if try ctx.equals(v, sentinel) { done = true; return nil }
                        return v
                    })
            }
            return .object(try ctx.iter(a[0]))
        }
        interp.function("next", "next(iterator[, default])", doc: "Return the next item from the iterator.") { ctx, a in
            try a.check("next", min: 1, max: 2)
            guard case .object(let o) = a[0], o is PyIterator || ctx.special(a[0], "__next__") != nil else {
                throw PyError.type("'\(a[0].typeName)' object is not an iterator")
            }
            let it = try ctx.iter(a[0])
            if let v = try it.next(ctx) { return v }
            if a.count == 2 { return a[1] }
            if let g = o as? PyGenerator, let r = g.returnValue, !r.isNone { throw PyError.stopIteration(r) }
            throw PyError.stopIteration()
        }
        interp.function("chr", "chr(i, /)", doc: "Return a Unicode string of one character with ordinal i; 0 <= i <= 0x10ffff.") { ctx, a in
            try a.check("chr", min: 1, max: 1)
            let i = try ctx.intArg(a[0])
            guard i >= 0, i <= 0x10FFFF else { throw PyError.value("chr() arg not in range(0x110000)") }
            guard let s = Unicode.Scalar(i) else { return .str("\u{FFFD}") }
            return .str(String(s))
        }
        interp.function("ord", "ord(c, /)", doc: "Return the Unicode code point for a one-character string.") { ctx, a in
            try a.check("ord", min: 1, max: 1)
            guard case .str(let s) = a[0] else { throw PyError.type("ord() expected string of length 1, but \(a[0].typeName) found") }
            let sc = s.unicodeScalars
            guard sc.count == 1, let c = sc.first else { throw PyError.type("ord() expected a character, but string of length \(sc.count) found") }
            return .int(Int(c.value))
        }
        for (name, radix, prefix) in [("hex", 16, "0x"), ("oct", 8, "0o"), ("bin", 2, "0b")] {
            interp.function(
                name, "\(name)(number, /)",
                doc: "Return the \(radix == 16 ? "hexadecimal" : radix == 8 ? "octal" : "binary") representation of an integer."
            ) { ctx, a in
                try a.check(name, min: 1, max: 1)
                guard let v = try ctx.index(a[0]) else { throw PyError.type("'\(a[0].typeName)' object cannot be interpreted as an integer") }
                return .str((v.sign == .minus ? "-" : "") + prefix + String(v.magnitude, radix: radix))
            }
        }
        interp.function("format", "format(value, format_spec='', /)", doc: "Return type(value).__format__(value, format_spec).") { ctx, a in
            try a.check("format", min: 1, max: 2)
            let spec = a.count > 1 ? try ctx.strArg(a[1], "format", "argument 2") : ""
            return .str(try ctx.format(a[0], spec))
        }
        interp.function("vars", "vars([object])", doc: "Return the __dict__ of an object (without an argument, the session's variables).") { ctx, a in
            try a.check("vars", min: 0, max: 1)
            if a.count == 0 { return .object(ctx.globalsDict(ctx.interpreter.main.globals)) }
            if case .object(let o) = a[0] {
                if let m = o as? PyModule { return .object(ctx.globalsDict(m.globals)) }
                if let d = o.instanceDict { return .object(d) }
                if let t = o as? PyType { return try ctx.getAttr(.object(t), "__dict__") }
            }
            throw PyError.type("vars() argument must have __dict__ attribute")
        }
        interp.function("globals", "globals()", doc: "Return a dictionary of the session's global variables.") { ctx, a in
            try a.check("globals", min: 0, max: 0)
            return .object(ctx.globalsDict(ctx.interpreter.main.globals))
        }
        interp.function("locals", "locals()", doc: "Return a dictionary of the current variables (the session's, at top level).") { ctx, a in
            try a.check("locals", min: 0, max: 0)
            return .object(ctx.globalsDict(ctx.interpreter.main.globals))
        }
        interp.function("dir", "dir([object])", doc: "Return an alphabetized list of names in the scope or attributes of the object.") { ctx, a in
            try a.check("dir", min: 0, max: 1)
            if a.count == 0 { return .object(PyList(ctx.interpreter.main.globals.names.sorted().map { .str($0) })) }
            if let m = ctx.special(a[0], "__dir__"), !ctx.isObjectSlot(m, "__dir__") {
                let r = try ctx.callDescriptor(m, self: a[0], Args())
                let items = try ctx.iterateToArray(r)
                return .object(PyList(try items.sorted { try ctx.lessThan($0, $1) }))
            }
            return .object(PyList(ctx.dir(a[0]).map { .str($0) }))
        }
        interp.function("help", "help([object])", doc: "Show the documentation of an object.") { ctx, a in
            try a.check("help", min: 0, max: 1)
            let text = a.count == 0 ? Help.overview(ctx) : try Help.describe(ctx, a[0])
            ctx.interpreter.hooks.writeOutput(text.hasSuffix("\n") ? text : text + "\n")
            return .none
        }
        interp.function("input", "input(prompt='', /)", doc: "Not available: the shell reads its own input.") { _, _ in
            throw PyError.os("input() is not available in this shell: pass values in the code, or read them with open(...)")
        }
        interp.function("open", "open(file, mode='r', encoding=None)", doc: "Open a file for reading (writing is not allowed; use %save).") {
            ctx, a in
            try FileObject.open(ctx, a)
        }
        interp.function("exec", "exec(source, /)", doc: "Not available in this shell.") { _, _ in
            throw PyError.notImplemented("exec() is not available in this shell: paste the code as statements instead")
        }
        interp.function("eval", "eval(source, /)", doc: "Not available in this shell.") { _, _ in
            throw PyError.notImplemented("eval() is not available in this shell: write the expression directly")
        }
        for name in ["exit", "quit"] {
            b.set(name, .object(Quitter(name: name)))
        }
        ConstructorTypes.install(into: interp)
    }

    /// `min` / `max`.
    static func extreme(_ ctx: ExecContext, _ a: Args, _ name: String, _ op: CompareOperator) throws -> PyValue {
        var key: PyValue?
        var defaultValue: PyValue?
        for (k, v) in a.keywords {
            switch k {
            case "key": key = ctx.optional(v)
            case "default": defaultValue = v
            default: throw PyError.type("'\(k)' is an invalid keyword argument for \(name)()")
            }
        }
        let items: [PyValue]
        switch a.count {
        case 0: throw PyError.type("\(name) expected at least 1 argument, got 0")
        case 1: items = try ctx.iterateToArray(a[0])
        default:
            if defaultValue != nil { throw PyError.type("Cannot specify a default for \(name)() with multiple positional arguments") }
            items = a.positional
        }
        guard var best = items.first else {
            if let d = defaultValue { return d }
            throw PyError.value("\(name)() arg is an empty sequence")
        }
        var bestKey = try key.map { try ctx.call($0, Args([best])) } ?? best
        for x in items.dropFirst() {
            let k = try key.map { try ctx.call($0, Args([x])) } ?? x
            if try ctx.compare(k, bestKey, op) {
                best = x
                bestKey = k
            }
        }
        return best
    }
}

extension ExecContext {
    func attributeName(_ v: PyValue, _ function: String) throws -> String {
        guard case .str(let s) = v else { throw PyError.type("attribute name must be string, not '\(v.typeName)'") }
        return s
    }

    /// Sorts a list in place, stably, with an optional key function.
    public func sortList(_ list: PyList, key: PyValue?, reverse: Bool) throws {
        let items = list.items
        list.items = []
        defer { if list.items.isEmpty { list.items = items } }
        if let key {
            var pairs = try items.map { (try call(key, Args([$0])), $0) }
            try pairs.sort { reverse ? try lessThan($1.0, $0.0) : try lessThan($0.0, $1.0) }
            if !list.items.isEmpty { throw PyError.value("list modified during sort") }
            list.items = pairs.map(\.1)
            return
        }
        var sorted = items
        if sorted.allSatisfy({
            if case .int = $0 { return true }; return false
        }) {
            sorted.sort { (a, b) in
                guard case .int(let x) = a, case .int(let y) = b else { return false }
                return reverse ? y < x : x < y
            }
        } else if sorted.allSatisfy({
            if case .str = $0 { return true }; return false
        }) {
            sorted.sort { (a, b) in
                guard case .str(let x) = a, case .str(let y) = b else { return false }
                return reverse ? compareStrings(y, x) < 0 : compareStrings(x, y) < 0
            }
        } else {
            try sorted.sort { reverse ? try lessThan($1, $0) : try lessThan($0, $1) }
        }
        if !list.items.isEmpty { throw PyError.value("list modified during sort") }
        list.items = sorted
    }
}

extension PyValue {
    /// True for the builtins `exit` and `quit` (an interactive shell may leave when one is
    /// entered bare, as Python 3.13's REPL and IPython do).
    public var isQuitter: Bool { self.as(Quitter.self) != nil }
}

/// `exit` / `quit`: calling them leaves; their repr says how.
final class Quitter: PyObject, @unchecked Sendable {
    let name: String
    init(name: String) {
        self.name = name
        super.init(type: Builtins.quitterType)
    }
    override func call(_ ctx: ExecContext, _ args: Args) throws -> PyValue {
        throw PyError(PyExceptionObject(cls: Builtins.systemExitType, args: args.positional.prefix(1).map { $0 }))
    }
}

extension Builtins {
    static let quitterType = makeType("Quitter", module: "_sitebuiltins", native: .init(subclassable: false)) { t in
        t.method("__repr__") { _, me, _ in
            .str("Use \((me.as(Quitter.self))?.name ?? "exit")() or Ctrl-D (i.e. EOF) to exit")
        }
    }
}

/// `sys.stdout` / `sys.stderr`.
final class PyStream: PyObject, @unchecked Sendable {
    let isError: Bool
    init(isError: Bool) {
        self.isError = isError
        super.init(type: Builtins.streamType)
    }
}

extension Builtins {
    static let streamType = makeType("TextIOWrapper", module: "_io", native: .init(subclassable: false)) { t in
        t.method("write", "write(text, /)") { ctx, me, a in
            try a.check("write", min: 1, max: 1)
            let s = try ctx.strArg(a[0], "write")
            if me.as(PyStream.self)?.isError == true { ctx.interpreter.hooks.writeError(s) } else { ctx.interpreter.hooks.writeOutput(s) }
            return .int(StringIndex.count(s))
        }
        t.method("flush", "flush()") { _, _, _ in .none }
        t.method("isatty", "isatty()") { _, _, _ in .false }
        t.method("__repr__") { _, me, _ in
            .str(
                me.as(PyStream.self)?.isError == true
                    ? "<_io.TextIOWrapper name='<stderr>' mode='w' encoding='utf-8'>"
                    : "<_io.TextIOWrapper name='<stdout>' mode='w' encoding='utf-8'>")
        }
    }
}
