import BigInt

enum ObjectMethods {
    static func install(_ t: PyType) {
        t.method("__init__", "__init__(self, /, *args, **kwargs)", doc: "Initialize self.") { _, _, _ in .none }
        t.method("__new__", "__new__(cls, /, *args, **kwargs)", doc: "Create and return a new object.") { ctx, cls, _ in
            guard case .object(let c as PyType) = cls else { throw PyError.type("object.__new__(X): X is not a type object (\(cls.typeName))") }
            if let make = c.native.makeInstance { return .object(try make(ctx, c)) }
            return .object(PyInstance(cls: c))
        }
        t.method("__repr__", "__repr__(self, /)", doc: "Return repr(self).") { ctx, s, _ in
            guard case .object(let o) = s else { return .str(Repr.plain(s)) }
            return .str(Repr.defaultRepr(o))
        }
        t.method("__str__", "__str__(self, /)", doc: "Return str(self).") { ctx, s, _ in .str(try ctx.repr(s)) }
        t.method("__format__", "__format__(self, format_spec, /)", doc: "Default object formatter.") { ctx, s, a in
            let spec = a.positional.first?.stringValue ?? ""
            if !spec.isEmpty { throw PyError.type("unsupported format string passed to \(s.typeName).__format__") }
            return .str(try ctx.str(s))
        }
        t.method("__eq__", "__eq__(self, value, /)", doc: "Return self==value.") { _, s, a in
            a.positional.first.map { s.isIdentical(to: $0) } == true ? .true : Builtins.notImplemented
        }
        t.method("__ne__", "__ne__(self, value, /)", doc: "Return self!=value.") { ctx, s, a in
            guard let other = a.positional.first else { return Builtins.notImplemented }
            return .bool(try !ctx.equals(s, other))
        }
        t.method("__hash__", "__hash__(self, /)", doc: "Return hash(self).") { _, s, _ in
            if case .object(let o) = s { return .int(ObjectIdentifier(o).hashValue >> 4) }
            return .int(0)
        }
        t.method("__setattr__", "__setattr__(self, name, value, /)", doc: "Implement setattr(self, name, value).") { ctx, s, a in
            try a.check("__setattr__", min: 2, max: 2)
            guard case .object(let o) = s else { throw PyError.attribute("'\(s.typeName)' object has no attribute") }
            let name = try ctx.attributeName(a[0], "__setattr__")
            if case .object(let d)? = o.type.lookup(name) {
                if let p = d as? PyProperty, !p.fset.isNone { _ = try ctx.call(p.fset, Args([s, a[1]])); return .none }
                if let p = d as? PyNativeProperty, let set = p.set { try set(ctx, s, a[1]); return .none }
            }
            try ctx.storeInstanceAttribute(o, name, a[1])
            return .none
        }
        t.method("__getattribute__", "__getattribute__(self, name, /)", doc: "Return getattr(self, name).") { ctx, s, a in
            try a.check("__getattribute__", min: 1, max: 1)
            return try ctx.getAttr(s, try ctx.attributeName(a[0], "__getattribute__"))
        }
        t.method("__delattr__", "__delattr__(self, name, /)", doc: "Implement delattr(self, name).") { ctx, s, a in
            try a.check("__delattr__", min: 1, max: 1)
            guard case .object(let o) = s, let d = o.instanceDict else { throw PyError.attribute("cannot delete attribute") }
            let name = try ctx.attributeName(a[0], "__delattr__")
            guard d.removeString(name) != nil else { throw ctx.attributeError(s, name) }
            return .none
        }
        t.method("__dir__", "__dir__(self, /)", doc: "Default dir() implementation.") { ctx, s, _ in
            .object(PyList(ctx.dir(s).map { .str($0) }))
        }
        t.classMethod("__init_subclass__", "__init_subclass__()", doc: "This method is called when a class is subclassed.") { _, a in
            if !a.keywords.isEmpty {
                let name = a.positional.first?.as(PyType.self)?.name ?? "object"
                throw PyError.type("\(name).__init_subclass__() takes no keyword arguments")
            }
            return .none
        }
        t.property("__class__", doc: "The object's class.", get: { _, s in .object(s.type) })
    }
}

enum TypeMethods {
    static func install(_ t: PyType) {
        t.method("mro", "mro()", doc: "Return a type's method resolution order.") { _, s, _ in
            guard case .object(let c as PyType) = s else { return .none }
            return .object(PyList(c.mro.map { .object($0) }))
        }
        t.method("__repr__", "__repr__(self, /)") { _, s, _ in
            guard case .object(let c as PyType) = s else { return .str("") }
            return .str("<class '\(c.displayName)'>")
        }
        t.method("__or__", "__or__(self, other, /)") { _, s, a in
            .object(PyUnion([s, a.positional.first ?? .none], fromTyping: false))
        }
        t.method("__ror__", "__ror__(self, other, /)") { _, s, a in
            .object(PyUnion([a.positional.first ?? .none, s], fromTyping: false))
        }
        t.method("__subclasses__", "__subclasses__()") { _, _, _ in .object(PyList()) }
    }
}

enum NumberMethods {
    static func installInt(_ t: PyType) {
        t.doc = "int([x]) -> integer\nint(x, base=10) -> integer\n\nConvert a number or string to an integer."
        t.method("bit_length", "bit_length()", doc: "Number of bits necessary to represent self in binary.") { _, s, _ in
            guard let b = s.bigInt else { return .int(0) }
            return .int(b.isZero ? 0 : b.magnitude.bitWidth)
        }
        t.method("bit_count", "bit_count()", doc: "Number of ones in the binary representation of the absolute value of self.") { _, s, _ in
            guard let b = s.bigInt else { return .int(0) }
            return .int(b.magnitude.words.reduce(0) { $0 + $1.nonzeroBitCount })
        }
        t.method("is_integer", "is_integer()") { _, _, _ in .true }
        t.method("conjugate", "conjugate()") { _, s, _ in s.smallInt.map { .int($0) } ?? s }
        t.method("as_integer_ratio", "as_integer_ratio()") { _, s, _ in .object(PyTuple([s.smallInt.map { .int($0) } ?? s, .int(1)])) }
        t.method("to_bytes", "to_bytes(...)") { _, _, _ in throw PyError.notImplemented("bytes are not supported in this shell") }
        t.property("real", get: { _, s in s.smallInt.map { .int($0) } ?? s })
        t.property("imag", get: { _, _ in .int(0) })
        t.property("numerator", get: { _, s in s.smallInt.map { .int($0) } ?? s })
        t.property("denominator", get: { _, _ in .int(1) })
        installArithmetic(t)
    }

    static func installBool(_ t: PyType) {
        t.doc = "bool(x) -> bool\n\nReturns True when the argument x is true, False otherwise."
        t.method("__repr__") { _, s, _ in .str(Repr.plain(s)) }
    }

    static func installFloat(_ t: PyType) {
        t.doc = "Convert a string or number to a floating point number, if possible."
        t.method("is_integer", "is_integer()", doc: "Return True if the float is an integer.") { _, s, _ in
            guard case .float(let d) = s else { return .false }
            return .bool(d.isFinite && d == d.rounded())
        }
        t.method("as_integer_ratio", "as_integer_ratio()", doc: "Return integer ratio.") { _, s, _ in
            guard case .float(var d) = s else { return .none }
            if d.isNaN { throw PyError.value("cannot convert NaN to integer ratio") }
            if d.isInfinite { throw PyError.overflow("cannot convert Infinity to integer ratio") }
            var denominator = BigInt(1)
            while d != d.rounded() {
                d *= 2
                denominator *= 2
            }
            return .object(PyTuple([.int(BigInt(d)), .int(denominator)]))
        }
        t.method("hex", "hex()", doc: "Return a hexadecimal representation of a floating-point number.") { _, s, _ in
            guard case .float(let d) = s else { return .none }
            return .str(Arith.cFormat(d, "%a"))
        }
        t.method("conjugate", "conjugate()") { _, s, _ in s }
        t.property("real", get: { _, s in s })
        t.property("imag", get: { _, _ in .float(0) })
        installArithmetic(t)
    }

    static func installArithmetic(_ t: PyType) {
        for op in BinaryOperator.allCases where op != .matMul {
            let (name, reflected) = ExecContext.dunder(op)
            t.method(name) { ctx, s, a in
                guard let o = a.positional.first, ctx.isNumber(o) else { return Builtins.notImplemented }
                return try ctx.binaryOp(op, s, o)
            }
            t.method(reflected) { ctx, s, a in
                guard let o = a.positional.first, ctx.isNumber(o) else { return Builtins.notImplemented }
                return try ctx.binaryOp(op, o, s)
            }
        }
        for (name, op) in [("__lt__", CompareOperator.lt), ("__le__", .ltE), ("__gt__", .gt), ("__ge__", .gtE)] {
            t.method(name) { ctx, s, a in
                guard let o = a.positional.first, ctx.isNumber(o) else { return Builtins.notImplemented }
                return .bool(try ctx.compare(s, o, op))
            }
        }
        t.method("__eq__") { ctx, s, a in .bool(try ctx.equals(s, a[0])) }
        t.method("__hash__") { ctx, s, _ in .int(try ctx.hash(s)) }
        t.method("__neg__") { ctx, s, _ in try ctx.unaryOp(.minus, s) }
        t.method("__abs__") { ctx, s, _ in
            switch s {
            case .float(let d): return .float(Swift.abs(d))
            default: return try ctx.compare(s, .int(0), .lt) ? try ctx.unaryOp(.minus, s) : s
            }
        }
        t.method("__int__") { ctx, s, _ in try ConstructorTypes.toInt(ctx, s) }
        t.method("__float__") { ctx, s, _ in .float(try ctx.toDouble(s)) }
        t.method("__bool__") { ctx, s, _ in .bool(try ctx.truthy(s)) }
        t.method("__repr__") { ctx, s, _ in .str(try ctx.repr(s)) }
        t.method("__str__") { ctx, s, _ in .str(try ctx.repr(s)) }
        t.method("__format__") { ctx, s, a in .str(try ctx.format(s, a.positional.first?.stringValue ?? "")) }
        t.method("__round__") { ctx, s, a in
            guard let round = ctx.interpreter.builtins.get("round") else { return s }
            return try ctx.call(round, Args([s] + a.positional))
        }
    }
}

enum MiscMethods {
    static func installRange(_ t: PyType) {
        t.doc = "range(stop) -> range object\nrange(start, stop[, step]) -> range object"
        t.property("start", get: { _, s in .int(s.as(PyRange.self)?.start ?? 0) })
        t.property("stop", get: { _, s in .int(s.as(PyRange.self)?.stop ?? 0) })
        t.property("step", get: { _, s in .int(s.as(PyRange.self)?.step ?? 1) })
        t.method("index", "index(value, /)") { ctx, s, a in
            guard let r = s.as(PyRange.self), let v = a.positional.first?.smallInt, try ctx.contains(s, .int(v)) else {
                throw PyError.value("\(try ctx.repr(a.positional.first ?? .none)) is not in range")
            }
            return .int((v - r.start) / r.step)
        }
        t.method("count", "count(value, /)") { ctx, s, a in .int(try ctx.contains(s, a[0]) ? 1 : 0) }
        t.method("__len__") { _, s, _ in .int(s.as(PyRange.self)?.count ?? 0) }
        t.method("__iter__") { ctx, s, _ in .object(try ctx.iter(s)) }
        t.method("__getitem__") { ctx, s, a in try ctx.getItem(s, a[0]) }
        t.method("__contains__") { ctx, s, a in .bool(try ctx.contains(s, a[0])) }
    }

    static func installSlice(_ t: PyType) {
        t.property("start", get: { _, s in s.as(PySlice.self)?.start ?? .none })
        t.property("stop", get: { _, s in s.as(PySlice.self)?.stop ?? .none })
        t.property("step", get: { _, s in s.as(PySlice.self)?.step ?? .none })
        t.method("indices", "indices(len, /)") { ctx, s, a in
            guard let sl = s.as(PySlice.self) else { return .none }
            let b = try ctx.sliceBounds(sl, length: try ctx.intArg(a[0]))
            return .object(PyTuple([.int(b.start), .int(b.stop), .int(b.step)]))
        }
    }

    static func installFunction(_ t: PyType) {
        t.property("__doc__", get: { _, s in s.as(PyFunction.self)?.doc ?? .none }, set: { _, s, v in s.as(PyFunction.self)?.doc = v })
        t.property(
            "__name__", get: { _, s in .str(s.as(PyFunction.self)?.name ?? "") },
            set: { _, s, v in
                if case .str(let n) = v { s.as(PyFunction.self)?.name = n }
            })
        t.property(
            "__qualname__", get: { _, s in .str(s.as(PyFunction.self)?.qualname ?? "") },
            set: { _, s, v in
                guard case .str(let n) = v else { throw PyError.type("__qualname__ must be set to a string object") }
                s.as(PyFunction.self)?.qualname = n
            })
        t.property(
            "__module__", get: { _, s in .str(s.as(PyFunction.self)?.module ?? "__main__") },
            set: { _, s, v in
                if case .str(let n) = v { s.as(PyFunction.self)?.module = n }
            })
        t.property(
            "__annotations__", get: { _, s in .object(s.as(PyFunction.self)?.annotations ?? PyDict()) },
            set: { _, s, v in
                guard let d = v.as(PyDict.self) else { throw PyError.type("__annotations__ must be set to a dict object") }
                s.as(PyFunction.self)?.annotations = d
            })
        t.property(
            "__defaults__",
            get: { _, s in
                guard let f = s.as(PyFunction.self), !f.defaults.isEmpty else { return .none }
                return .object(PyTuple(f.defaults))
            })
        t.property(
            "__kwdefaults__",
            get: { _, s in
                guard let f = s.as(PyFunction.self), !f.keywordDefaults.isEmpty else { return .none }
                return .object(PyDict(f.keywordDefaults.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))
            })
        t.property(
            "__wrapped__",
            get: { ctx, s in
                guard let w = s.as(PyFunction.self)?.dict.getString("__wrapped__") else {
                    throw PyError.attribute("'function' object has no attribute '__wrapped__'")
                }
                return w
            }, set: { _, s, v in s.as(PyFunction.self)?.dict.setString("__wrapped__", v) })
        t.method("__get__") { ctx, s, a in
            guard let receiver = a.positional.first, !receiver.isNone else { return s }
            return .object(PyBoundMethod(function: s, receiver: receiver))
        }
        t.method("__repr__") { ctx, s, _ in .str(try ctx.repr(s)) }
    }

    static func installMethod(_ t: PyType) {
        t.property("__self__", get: { _, s in s.as(PyBoundMethod.self)?.receiver ?? .none })
        t.property("__func__", get: { _, s in s.as(PyBoundMethod.self)?.function ?? .none })
        t.property(
            "__name__",
            get: { ctx, s in
                guard let m = s.as(PyBoundMethod.self) else { return .str("") }
                return try ctx.getAttr(m.function, "__name__")
            })
        t.property(
            "__doc__",
            get: { ctx, s in
                guard let m = s.as(PyBoundMethod.self) else { return .none }
                if case .object(let n as PyNativeMethod) = m.function { return .str(n.doc) }
                return try ctx.getAttr(m.function, "__doc__")
            })
    }

    static func installProperty(_ t: PyType) {
        t.method("getter", "getter(fget, /)") { _, s, a in
            guard let p = s.as(PyProperty.self) else { return s }
            return .object(PyProperty(fget: a[0], fset: p.fset, fdel: p.fdel, doc: p.doc))
        }
        t.method("setter", "setter(fset, /)") { _, s, a in
            guard let p = s.as(PyProperty.self) else { return s }
            return .object(PyProperty(fget: p.fget, fset: a[0], fdel: p.fdel, doc: p.doc))
        }
        t.method("deleter", "deleter(fdel, /)") { _, s, a in
            guard let p = s.as(PyProperty.self) else { return s }
            return .object(PyProperty(fget: p.fget, fset: p.fset, fdel: a[0], doc: p.doc))
        }
        t.property("fget", get: { _, s in s.as(PyProperty.self)?.fget ?? .none })
        t.property("fset", get: { _, s in s.as(PyProperty.self)?.fset ?? .none })
        t.property("__doc__", get: { _, s in s.as(PyProperty.self)?.doc ?? .none })
        t.method("__get__") { ctx, s, a in
            guard let p = s.as(PyProperty.self), let obj = a.positional.first, !obj.isNone else { return s }
            return try ctx.call(p.fget, Args([obj]))
        }
    }

    static func installStaticMethod(_ t: PyType) {
        t.property("__func__", get: { _, s in s.as(PyStaticMethod.self)?.function ?? .none })
    }

    static func installClassMethod(_ t: PyType) {
        t.property("__func__", get: { _, s in s.as(PyClassMethod.self)?.function ?? .none })
    }
}

enum ExceptionMethods {
    static func install(_ t: PyType) {
        t.method("__init__", "__init__(self, /, *args, **kwargs)", doc: "Initialize self.") { _, s, a in
            if let e = s.as(PyExceptionObject.self) { e.args = a.positional }
            return .none
        }
        t.method("__str__", "__str__(self, /)", doc: "Return str(self).") { ctx, s, _ in
            guard let e = s.as(PyExceptionObject.self) else { return .str("") }
            if e.args.isEmpty { return .str("") }
            if e.args.count == 1 { return .str(e.type.isSubtype(of: Builtins.keyErrorType) ? try ctx.repr(e.args[0]) : try ctx.str(e.args[0])) }
            return .str(try ctx.repr(.object(PyTuple(e.args))))
        }
        t.method("__repr__", "__repr__(self, /)", doc: "Return repr(self).") { ctx, s, _ in
            guard let e = s.as(PyExceptionObject.self) else { return .str("") }
            let args = e.args.count == 1 ? try ctx.repr(e.args[0]) : try e.args.map { try ctx.repr($0) }.joined(separator: ", ")
            return .str("\(e.type.name)(\(args))")
        }
        t.property(
            "args", doc: "The arguments given to the exception.",
            get: { _, s in
                .object(PyTuple(s.as(PyExceptionObject.self)?.args ?? []))
            }, set: { ctx, s, v in s.as(PyExceptionObject.self)?.args = try ctx.iterateToArray(v) })
        t.property(
            "__cause__", get: { _, s in s.as(PyExceptionObject.self)?.cause.map { .object($0) } ?? .none },
            set: { _, s, v in
                guard let e = s.as(PyExceptionObject.self) else { return }
                e.cause = v.as(PyExceptionObject.self)
                e.suppressContext = true
            })
        t.property(
            "__context__", get: { _, s in s.as(PyExceptionObject.self)?.context.map { .object($0) } ?? .none },
            set: { _, s, v in s.as(PyExceptionObject.self)?.context = v.as(PyExceptionObject.self) })
        t.property(
            "__suppress_context__", get: { _, s in .bool(s.as(PyExceptionObject.self)?.suppressContext ?? false) },
            set: { ctx, s, v in s.as(PyExceptionObject.self)?.suppressContext = try ctx.truthy(v) })
        t.property("__traceback__", get: { _, _ in .none })
        t.method("with_traceback", "with_traceback(tb, /)") { _, s, _ in s }
        t.method("add_note", "add_note(note, /)") { ctx, s, a in
            guard case .object(let o) = s, let d = o.instanceDict else { return .none }
            let notes = d.getString("__notes__")?.as(PyList.self) ?? PyList()
            notes.items.append(a[0])
            d.setString("__notes__", .object(notes))
            return .none
        }
    }

    /// Attributes that only some exception types carry (`SystemExit.code`, `NameError.name`...).
    static func installSpecificAttributes() {
        func firstArg(_ t: PyType, _ name: String) {
            t.property(
                name,
                get: { _, s in
                    if case .object(let o) = s, let v = o.instanceDict?.getString(name) { return v }
                    return s.as(PyExceptionObject.self)?.args.first ?? .none
                },
                set: { _, s, v in
                    if case .object(let o) = s { o.instanceDict?.setString(name, v) }
                })
        }
        firstArg(Builtins.systemExitType, "code")
        firstArg(Builtins.stopIterationType, "value")
        firstArg(Builtins.stopAsyncIterationType, "value")
        Builtins.nameErrorType.property(
            "name",
            get: { _, s in
                if case .object(let o) = s, let v = o.instanceDict?.getString("name") { return v }
                return s.as(PyExceptionObject.self)?.instanceDictionaryName.map { .str($0) } ?? .none
            },
            set: { _, s, v in
                if case .object(let o) = s { o.instanceDict?.setString("name", v) }
            })
    }
}

enum IteratorMethods {
    static func install(_ t: PyType) {
        t.method("__iter__", "__iter__(self, /)", doc: "Implement iter(self).") { _, s, _ in s }
        t.method("__next__", "__next__(self, /)", doc: "Implement next(self).") { ctx, s, _ in
            guard let it = s.as(PyIterator.self) else { throw PyError.type("not an iterator") }
            guard let v = try it.next(ctx) else { throw PyError.stopIteration() }
            return v
        }
        t.method("__repr__") { _, s, _ in
            guard case .object(let o) = s else { return .str("") }
            let name = (o as? PyIterator)?.kindName ?? o.type.name
            return .str("<\(name) object at \(Repr.address(o))>")
        }
    }
}

enum GeneratorMethods {
    static func install(_ t: PyType) {
        IteratorMethods.install(t)
        t.method("send", "send(value, /)", doc: "Send a value into the generator; return the next yielded value or raise StopIteration.") {
            ctx, s, a in
            try a.check("send", min: 1, max: 1)
            guard let g = s.as(PyGenerator.self) else { throw PyError.type("generator expressions do not support send()") }
            guard let v = try g.resume(ctx, send: a[0]) else { throw PyError.stopIteration(g.returnValue.flatMap { $0.isNone ? nil : $0 }) }
            return v
        }
        t.method("throw", "throw(type, value=None, traceback=None)", doc: "Raise an exception inside the generator.") { ctx, s, a in
            try a.checkCount("throw", min: 1, max: 3)
            guard let g = s.as(PyGenerator.self) else { throw PyError.type("generator expressions do not support throw()") }
            var exc = try ctx.makeException(a[0])
            if a.count > 1, !a[1].isNone, case .object(let t as PyType) = a[0] {
                exc = try ctx.makeException(try ctx.call(.object(t), Args([a[1]])))
            }
            guard let v = try g.resume(ctx, send: .none, throwing: exc) else { throw PyError.stopIteration() }
            return v
        }
        t.method("close", "close()", doc: "Raise GeneratorExit inside the generator.") { ctx, s, _ in
            try s.as(PyGenerator.self)?.close(ctx)
            if let g = s.as(GeneratorExpression.self) { g.finished = true }
            return .none
        }
        t.method("__repr__") { _, s, _ in
            guard case .object(let o) = s else { return .str("") }
            let name = (o as? PyGenerator)?.function.qualname ?? "<genexpr>"
            return .str("<generator object \(name) at \(Repr.address(o))>")
        }
    }

    static func installAsync(_ t: PyType) {
        t.method("__aiter__") { _, s, _ in s }
        t.method("__anext__", "__anext__()", doc: "Return a value or raise StopAsyncIteration.") { _, s, _ in
            guard let g = s.as(PyGenerator.self) else { throw PyError.type("not an async generator") }
            return .object(
                PyDeferred(name: "__anext__") { ctx in
                    guard let v = try g.resume(ctx, send: .none) else {
                        throw PyError(PyExceptionObject(cls: Builtins.stopAsyncIterationType))
                    }
                    return v
                })
        }
        t.method("aclose", "aclose()", doc: "Raise GeneratorExit inside the generator.") { _, s, _ in
            guard let g = s.as(PyGenerator.self) else { throw PyError.type("not an async generator") }
            return .object(
                PyDeferred(name: "aclose") { ctx in
                    try g.close(ctx)
                    return .none
                })
        }
        t.method("__repr__") { _, s, _ in
            guard case .object(let o as PyGenerator) = s else { return .str("") }
            return .str("<async_generator object \(o.function.qualname) at \(Repr.address(o))>")
        }
    }
}

enum CoroutineMethods {
    static func install(_ t: PyType) {
        t.method("__repr__") { _, s, _ in
            guard case .object(let o) = s else { return .str("") }
            let name = (o as? PyCoroutine)?.name ?? (o as? PyNativeAwaitable)?.name ?? "coroutine"
            return .str("<coroutine object \(name) at \(Repr.address(o))>")
        }
        t.method("close", "close()") { _, _, _ in .none }
        t.method("send", "send(value, /)") { ctx, s, _ in
            throw PyError.stopIteration(try ctx.await(s))
        }
    }
}

enum TaskMethods {
    static func task(_ v: PyValue) throws -> PyTask {
        guard let t = v.as(PyTask.self) else { throw PyError.type("not a Task") }
        return t
    }

    static func install(_ t: PyType) {
        t.method("done", "done()", doc: "Return True if the task is done.") { _, s, _ in .bool(try task(s).isDone) }
        t.method("cancelled", "cancelled()", doc: "Return True if the task was cancelled.") { _, s, _ in
            let tk = try task(s)
            guard tk.isDone, case .failure(let e as PyError)? = tk.outcome else { return .false }
            return .bool(e.isInstance(of: Builtins.cancelledErrorType))
        }
        t.method("cancel", "cancel(msg=None)", doc: "Request that this task cancel itself.") { _, s, _ in
            .bool(try task(s).requestCancel(interruptingRunningCode: false))
        }
        t.method("result", "result()", doc: "Return the result of the task (it must be done).") { _, s, _ in
            let tk = try task(s)
            guard let r = tk.outcome else { throw PyError(Builtins.invalidStateErrorType, "Result is not set.") }
            return try r.get()
        }
        t.method("exception", "exception()", doc: "Return the exception raised by the task, or None.") { _, s, _ in
            let tk = try task(s)
            guard let r = tk.outcome else { throw PyError(Builtins.invalidStateErrorType, "Exception is not set.") }
            if case .failure(let e as PyError) = r {
                if e.isInstance(of: Builtins.cancelledErrorType) { throw e }
                return .object(e.exception)
            }
            return .none
        }
        t.method("add_done_callback", "add_done_callback(fn, /)", doc: "Call fn(task) when the task is done.") { ctx, s, a in
            let tk = try task(s)
            if tk.isDone { _ = try ctx.call(a[0], Args([s])) } else { tk.doneCallbacks.append(a[0]) }
            return .none
        }
        t.method("get_name", "get_name()") { _, s, _ in .str(try task(s).name) }
        t.method("__repr__") { _, s, _ in
            let tk = try task(s)
            return .str("<Task \(tk.isDone ? "finished" : "pending") name='\(tk.name)'>")
        }
    }
}

extension Builtins {
    public static let invalidStateErrorType = exceptionType("InvalidStateError", errorBaseForAsyncio, module: "asyncio.exceptions")
    static var errorBaseForAsyncio: PyType { exceptionBaseType }
}
