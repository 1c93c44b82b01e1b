import DSPy
import PythonInterpreter

/// A signature class's library signature and how it was declared (string or class), which
/// decides how DSPy prints its fields.
struct SignatureInfo: Sendable {
    var signature: Signature
    var className: String
    var fromString: Bool
}

/// `dspy.InputField(...)` / `dspy.OutputField(...)`, as written in a class signature.
struct FieldSpec: Sendable {
    var kind: Field.Kind
    var description: String?
    var defaultValue: Value?
}

final class FieldSpecObject: PyNativeObject<FieldSpec>, @unchecked Sendable {
    // Sendable proof: as every Python object, touched only under the interpreter lock.
    init(_ spec: FieldSpec) { super.init(type: DSPyTypes.fieldInfo, payload: spec) }
}

/// A field as `Signature.input_fields[...]` shows it (pydantic's FieldInfo).
final class FieldInfoObject: PyNativeObject<(field: Field, fromString: Bool)>, @unchecked Sendable {
    // Sendable proof: as every Python object, touched only under the interpreter lock.
    init(_ field: Field, fromString: Bool) { super.init(type: DSPyTypes.fieldInfo, payload: (field, fromString)) }
}

final class SignatureInfoObject: PyNativeObject<SignatureInfo>, @unchecked Sendable {
    // Sendable proof: as every Python object, touched only under the interpreter lock.
    init(_ info: SignatureInfo) { super.init(type: DSPyTypes.fieldInfo, payload: info) }
}

enum SignatureBinding {
    static let infoKey = "__dspy_signature__"

    /// The signature a class carries, if it is a signature class.
    static func info(_ t: PyType) -> SignatureInfo? {
        t.lookup(infoKey)?.as(SignatureInfoObject.self)?.payload
    }

    /// A signature from a string (`"question -> answer"`) or a signature class.
    static func signatureInfo(_ ctx: ExecContext, _ v: PyValue, instructions: String? = nil) throws -> SignatureInfo {
        switch v {
        case .str(let s):
            do {
                return SignatureInfo(signature: try Signature(s, instructions: instructions), className: "StringSignature", fromString: true)
            } catch {
                throw DSPyErrors.python(error)
            }
        case .object(let t as PyType):
            guard var i = info(t) else {
                throw PyError.type("\(t.name) is not a signature (subclass dspy.Signature, or pass a string like \"question -> answer\")")
            }
            if let instructions { i.signature = i.signature.withInstructions(instructions) }
            return i
        default:
            throw PyError.type("a signature must be a string like \"question -> answer\" or a dspy.Signature class, not \(v.typeName)")
        }
    }

    static func signature(_ ctx: ExecContext, _ v: PyValue) throws -> Signature { try signatureInfo(ctx, v).signature }

    /// A new signature class (what `dspy.Signature("a -> b")` and `.with_instructions` return).
    static func makeClass(_ info: SignatureInfo, base: PyType = DSPyTypes.signature) -> PyType {
        let cls =
            (try? PyType.userClass(name: info.className, qualname: info.className, bases: [base], module: "dspy.signatures.signature"))
            ?? DSPyTypes.signature
        cls.define(infoKey, .object(SignatureInfoObject(info)))
        cls.doc = info.signature.instructions
        return cls
    }

    static func classValue(_ info: SignatureInfo) -> PyValue { .object(makeClass(info)) }

    // MARK: Types

    /// A Python annotation as a field type.
    static func fieldType(_ ctx: ExecContext, _ annotation: PyValue) throws -> FieldType {
        switch annotation {
        case .none: return .none
        case .str(let text):
            do {
                let sig = try Signature("x: \(text) -> y")
                return sig.inputFields[0].type
            } catch {
                throw PyError.type("cannot read the annotation \(Repr.string(text)) as a type")
            }
        case .object(let o):
            switch o {
            case let t as PyType:
                switch t.name {
                case "str" where t.isBuiltin: return .string
                case "int" where t.isBuiltin: return .int
                case "float" where t.isBuiltin: return .float
                case "bool" where t.isBuiltin: return .bool
                case "list" where t.isBuiltin: return .list(nil)
                case "dict" where t.isBuiltin: return .dict(nil, nil)
                case "tuple" where t.isBuiltin: return .tuple([])
                case "set" where t.isBuiltin: return .set(nil)
                case "NoneType" where t.isBuiltin: return .none
                case "object" where t.isBuiltin: return .any
                default:
                    throw PyError.type(
                        "\(t.name) cannot be a signature field type in this shell (str, int, float, bool, list, dict, tuple, set, Literal, Optional, Union and Any can)"
                    )
                }
            case let g as PyGenericAlias:
                guard case .object(let origin as PyType) = g.origin else { return .any }
                return try generic(ctx, origin.name, g.args)
            case let f as PyTypingForm:
                switch f.name {
                case "Any": return .any
                case "Literal":
                    guard let args = f.args else { throw PyError.type("Literal needs values: Literal['yes', 'no']") }
                    return .literal(try args.map { try Convert.value(ctx, $0) })
                default:
                    guard let origin = f.origin else { throw PyError.type("typing.\(f.name) cannot be a signature field type") }
                    return try generic(ctx, origin.name, f.args ?? [])
                }
            case let u as PyUnion:
                let members = try u.members.map { try fieldType(ctx, $0.as(PyType.self) === Builtins.noneType ? .none : $0) }
                let nonNone = members.filter { $0 != .none }
                if nonNone.count == 1 && members.count == 2 && u.fromTyping { return .optional(nonNone[0]) }
                if nonNone.count == 1 && members.count == 2 { return .optional(nonNone[0]) }
                return .union(members, pep604: !u.fromTyping)
            default:
                throw PyError.type("\(try ctx.repr(annotation)) is not a type")
            }
        default:
            throw PyError.type("\(try ctx.repr(annotation)) is not a type")
        }
    }

    static func generic(_ ctx: ExecContext, _ origin: String, _ args: [PyValue]) throws -> FieldType {
        let types = try args.map { try fieldType(ctx, $0) }
        switch origin {
        case "list": return .list(types.first)
        case "set", "frozenset": return .set(types.first)
        case "tuple": return .tuple(types)
        case "dict": return .dict(types.first, types.count > 1 ? types[1] : nil)
        default: return .any
        }
    }

    /// A field type as the Python object an annotation would be (for FieldInfo.annotation).
    static func pythonType(_ t: FieldType) -> PyValue {
        switch t {
        case .string: return .object(Builtins.strType)
        case .int: return .object(Builtins.intType)
        case .float: return .object(Builtins.floatType)
        case .bool: return .object(Builtins.boolType)
        case .none: return .object(Builtins.noneType)
        case .any: return .str("Any")
        case .list(let e):
            return e.map { .object(PyGenericAlias(origin: .object(Builtins.listType), args: [pythonType($0)])) } ?? .object(Builtins.listType)
        case .set(let e):
            return e.map { .object(PyGenericAlias(origin: .object(Builtins.setType), args: [pythonType($0)])) } ?? .object(Builtins.setType)
        case .dict(let k, let v):
            guard let k, let v else { return .object(Builtins.dictType) }
            return .object(PyGenericAlias(origin: .object(Builtins.dictType), args: [pythonType(k), pythonType(v)]))
        case .tuple(let ts):
            return ts.isEmpty ? .object(Builtins.tupleType) : .object(PyGenericAlias(origin: .object(Builtins.tupleType), args: ts.map(pythonType)))
        default: return .str(t.pythonName)
        }
    }

    // MARK: Rendering, as DSPy prints signatures

    static func extras(_ field: Field, fromString: Bool) -> String {
        var pairs: [(String, String)] = []
        let explicitDescription = field.description ?? (field.kind == .output && field.name == "reasoning" ? "${reasoning}" : nil)
        if fromString && field.kind == .input { pairs.append(("IS_TYPE_UNDEFINED", field.isTypeUndefined ? "True" : "False")) }
        if let d = explicitDescription { pairs.append(("desc", Repr.string(d))) }
        pairs.append(("__dspy_field_type", Repr.string(field.kind.rawValue)))
        pairs.append(("prefix", Repr.string(field.prefix)))
        if explicitDescription == nil { pairs.append(("desc", Repr.string("${\(field.name)}"))) }
        return "{" + pairs.map { "\(Repr.string($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
    }

    static func fieldText(_ field: Field, fromString: Bool, separator: String) -> String {
        var parts = ["annotation=\(field.type.pythonName)"]
        if let d = field.defaultValue {
            parts.append("required=False")
            parts.append("default=\(d.pythonRepr)")
        } else {
            parts.append("required=True")
        }
        parts.append("json_schema_extra=\(extras(field, fromString: fromString))")
        return parts.joined(separator: separator)
    }

    /// `QA(question -> answer\n    instructions='...'\n    question = Field(...)\n)`.
    static func render(_ info: SignatureInfo) -> String {
        let s = info.signature
        let fields = s.fields.map { "\($0.name) = Field(\(fieldText($0, fromString: info.fromString, separator: " ")))" }
        return "\(info.className)(\(s.signatureString)\n    instructions=\(Repr.string(s.instructions))\n    " + fields.joined(separator: "\n    ")
            + "\n)"
    }

    // MARK: The Signature class

    static func install(_ t: PyType) {
        t.doc =
            "A task's inputs and outputs: dspy.Signature(\"question -> answer\"), or a class with InputField/OutputField attributes and a docstring as instructions."
        t.define(
            infoKey,
            .object(
                SignatureInfoObject(
                    SignatureInfo(
                        signature: (try? Signature(inputs: [], outputs: [])) ?? emptySignature,
                        className: "Signature", fromString: false))))
        t.native.construct = { ctx, _, a in
            let p = try a.bind("Signature", ["signature", "instructions", "signature_name"], required: 1)
            let instructions = try ctx.optional(p[1]).map { try ctx.strArg($0, "Signature", "argument 'instructions'") }
            var info = try signatureInfo(ctx, p[0] ?? .none, instructions: instructions)
            if let name = ctx.optional(p[2])?.stringValue { info.className = name }
            return classValue(info)
        }
        t.native.classRepr = { _, cls in info(cls).map(render) ?? "<class '\(cls.name)'>" }
        t.native.onSubclass = { ctx, cls in try declareClass(ctx, cls) }
        t.define(
            "instructions",
            .object(
                PyClassProperty("instructions", doc: "The task description given to the LM.") { _, cls in
                    .str(info(cls)?.signature.instructions ?? "")
                }))
        t.define(
            "signature",
            .object(
                PyClassProperty("signature", doc: "The fields as \"inputs -> outputs\".") { _, cls in
                    .str(info(cls)?.signature.signatureString ?? "")
                }))
        for name in ["input_fields", "output_fields", "fields"] {
            @Sendable func select(_ s: Signature) -> [Field] {
                name == "input_fields" ? s.inputFields : name == "output_fields" ? s.outputFields : s.fields
            }
            t.define(
                name,
                .object(
                    PyClassProperty(name, doc: "The \(name.replacingOccurrences(of: "_", with: " ")) by name.") { _, cls in
                        guard let i = info(cls) else { return .object(PyDict()) }
                        return .object(PyDict(select(i.signature).map { ($0.name, PyValue.object(FieldInfoObject($0, fromString: i.fromString))) }))
                    }))
        }
        func classMethod(
            _ name: String, _ signature: String, doc: String, _ body: @escaping @Sendable (ExecContext, PyType, SignatureInfo, Args) throws -> PyValue
        ) {
            t.define(
                name,
                .object(
                    PyClassMethod(
                        .object(
                            PyBuiltinFunction(name, signature: signature, doc: doc) { ctx, a in
                                guard case .object(let cls as PyType)? = a.positional.first, let i = info(cls) else {
                                    throw PyError.type("\(name)() needs a signature class")
                                }
                                var rest = a
                                rest.positional.removeFirst()
                                return try body(ctx, cls, i, rest)
                            }))))
        }
        classMethod("with_instructions", "with_instructions(instructions)", doc: "A copy with new instructions.") { ctx, _, i, a in
            try a.check("with_instructions", min: 1, max: 1)
            var n = i
            n.signature = i.signature.withInstructions(try ctx.strArg(a[0], "with_instructions"))
            return classValue(n)
        }
        classMethod("append_instructions", "append_instructions(text)", doc: "A copy with text added after the instructions.") { ctx, _, i, a in
            var n = i
            n.signature = i.signature.appendingInstructions(try ctx.strArg(a[0], "append_instructions"))
            return classValue(n)
        }
        classMethod("prepend_instructions", "prepend_instructions(text)", doc: "A copy with text added before the instructions.") { ctx, _, i, a in
            var n = i
            n.signature = i.signature.prependingInstructions(try ctx.strArg(a[0], "prepend_instructions"))
            return classValue(n)
        }
        @Sendable func newField(_ ctx: ExecContext, _ a: Args, _ fn: String, indexed: Bool) throws -> (Int?, Field) {
            var args = a.positional
            var index: Int?
            if indexed {
                guard !args.isEmpty else { throw PyError.type("\(fn)() needs an index") }
                index = try ctx.intArg(args.removeFirst())
            }
            guard args.count >= 2, case .str(let name) = args[0], let spec = args[1].as(FieldSpecObject.self)?.payload else {
                throw PyError.type("\(fn)(name, dspy.InputField() or dspy.OutputField(), type_=str)")
            }
            let typeValue = args.count > 2 ? args[2] : a.keyword("type_")
            let type = try ctx.optional(typeValue).map { try fieldType(ctx, $0) } ?? .string
            return (index, Field(name, kind: spec.kind, type: type, description: spec.description, defaultValue: spec.defaultValue))
        }
        classMethod("append", "append(name, field, type_=None)", doc: "A copy with a field added last among its kind.") { ctx, _, i, a in
            let (_, f) = try newField(ctx, a, "append", indexed: false)
            var n = i
            do { n.signature = try i.signature.appending(f) } catch { throw DSPyErrors.python(error) }
            return classValue(n)
        }
        classMethod("prepend", "prepend(name, field, type_=None)", doc: "A copy with a field added first among its kind.") { ctx, _, i, a in
            let (_, f) = try newField(ctx, a, "prepend", indexed: false)
            var n = i
            do { n.signature = try i.signature.prepending(f) } catch { throw DSPyErrors.python(error) }
            return classValue(n)
        }
        classMethod("insert", "insert(index, name, field, type_=None)", doc: "A copy with a field inserted at index among its kind.") {
            ctx, _, i, a in
            let (index, f) = try newField(ctx, a, "insert", indexed: true)
            var n = i
            do { n.signature = try i.signature.inserting(f, at: index ?? 0) } catch { throw DSPyErrors.python(error) }
            return classValue(n)
        }
        classMethod("delete", "delete(name)", doc: "A copy without the field.") { ctx, _, i, a in
            var n = i
            n.signature = i.signature.deleting(try ctx.strArg(a[0], "delete"))
            return classValue(n)
        }
        classMethod(
            "with_updated_fields", "with_updated_fields(name, type_=None, **kwargs)", doc: "A copy with one field's type or description changed."
        ) { ctx, _, i, a in
            guard case .str(let name)? = a.positional.first else { throw PyError.type("with_updated_fields() needs a field name") }
            let typeValue = a.count > 1 ? a[1] : a.keyword("type_")
            let type = try ctx.optional(typeValue).map { try fieldType(ctx, $0) }
            let desc = try a.keyword("desc").map { try ctx.str($0) }
            var n = i
            do { n.signature = try i.signature.withUpdatedField(name, type: type, description: desc) } catch { throw DSPyErrors.python(error) }
            return classValue(n)
        }
        classMethod("equals", "equals(other)", doc: "Whether two signatures have the same fields and instructions.") { ctx, _, i, a in
            guard case .object(let other as PyType)? = a.positional.first, let j = info(other) else { return .false }
            return .bool(i.signature == j.signature)
        }
    }

    static let emptySignature: Signature = {
        if let s = try? Signature(inputs: [], outputs: []) { return s }
        fatalError("an empty signature is always valid")
    }()

    /// `class QA(dspy.Signature):` — fields from the annotations, instructions from the docstring.
    static func declareClass(_ ctx: ExecContext, _ cls: PyType) throws {
        var inputs: [Field] = []
        var outputs: [Field] = []
        var inheritedInstructions: String?
        if let base = cls.bases.first, let baseInfo = info(base), base !== DSPyTypes.signature {
            inputs = baseInfo.signature.inputFields
            outputs = baseInfo.signature.outputFields
            inheritedInstructions = baseInfo.signature.instructions
        }
        let annotations = cls.dict.getString("__annotations__")?.as(PyDict.self)
        for (k, annotation) in annotations?.pairs ?? [] {
            guard case .str(let name) = k.value else { continue }
            guard let spec = cls.dict.getString(name)?.as(FieldSpecObject.self)?.payload else {
                throw PyError.type(
                    "Field `\(name)` in `\(cls.name)` must be declared with InputField or OutputField, but field `\(name)` has `field.json_schema_extra=None`"
                )
            }
            let type = try fieldType(ctx, annotation)
            let field = Field(name, kind: spec.kind, type: type, description: spec.description, defaultValue: spec.defaultValue)
            inputs.removeAll { $0.name == name }
            outputs.removeAll { $0.name == name }
            if spec.kind == .input { inputs.append(field) } else { outputs.append(field) }
        }
        for (k, v) in cls.dict.pairs {
            if let name = k.value.stringValue, v.as(FieldSpecObject.self) != nil, annotations?.getString(name) == nil {
                throw PyError.type(
                    "Field `\(name)` in `\(cls.name)` needs a type annotation, e.g. `\(name): str = dspy.\(v.as(FieldSpecObject.self)?.payload.kind == .input ? "InputField" : "OutputField")()`"
                )
            }
        }
        let doc = cls.doc.map { Help.cleandoc($0) }.flatMap { $0.isEmpty ? nil : $0 } ?? inheritedInstructions
        let signature: Signature
        do {
            signature = try Signature(inputs: inputs, outputs: outputs, instructions: doc)
        } catch {
            throw DSPyErrors.python(error)
        }
        cls.define(infoKey, .object(SignatureInfoObject(SignatureInfo(signature: signature, className: cls.name, fromString: false))))
        cls.doc = signature.instructions
    }

    static func field(_ kind: Field.Kind) -> @Sendable (ExecContext, Args) throws -> PyValue {
        { ctx, a in
            guard a.positional.isEmpty else { throw PyError.type("\(kind == .input ? "InputField" : "OutputField")() takes keyword arguments only") }
            var spec = FieldSpec(kind: kind)
            for (k, v) in a.keywords {
                switch k {
                case "desc", "description": spec.description = try ctx.str(v)
                case "default": spec.defaultValue = try Convert.value(ctx, v)
                case "prefix", "format", "parser":
                    ctx.interpreter.hooks.writeError("warning: DeprecationWarning: '\(k)' is deprecated and has no effect in DSPy\n")
                default: break
                }
            }
            return .object(FieldSpecObject(spec))
        }
    }

    static func installField(_ t: PyType) {
        t.native.getAttribute = { ctx, me, name in
            if let spec = me.as(FieldSpecObject.self)?.payload {
                switch name {
                case "json_schema_extra":
                    let d = PyDict()
                    if let desc = spec.description { d.setString("desc", .str(desc)) }
                    d.setString("__dspy_field_type", .str(spec.kind.rawValue))
                    return .object(d)
                case "description": return spec.description.map { .str($0) } ?? PyValue.none
                default: return nil
                }
            }
            guard let (field, fromString) = me.as(FieldInfoObject.self)?.payload else { return nil }
            switch name {
            case "annotation": return pythonType(field.type)
            case "json_schema_extra":
                let d = PyDict()
                if fromString && field.kind == .input { d.setString("IS_TYPE_UNDEFINED", .bool(field.isTypeUndefined)) }
                d.setString("desc", .str(field.description ?? "${\(field.name)}"))
                d.setString("__dspy_field_type", .str(field.kind.rawValue))
                d.setString("prefix", .str(field.prefix))
                return .object(d)
            case "description": return field.description.map { .str($0) } ?? PyValue.none
            case "default": return field.defaultValue.map(Convert.python) ?? PyValue.none
            default: return nil
            }
        }
        t.method("__repr__") { _, me, _ in
            if let spec = me.as(FieldSpecObject.self)?.payload {
                let desc = spec.description.map { "'desc': \(Repr.string($0)), " } ?? ""
                return .str("annotation=NoneType required=True json_schema_extra={\(desc)'__dspy_field_type': '\(spec.kind.rawValue)'}")
            }
            guard let (field, fromString) = me.as(FieldInfoObject.self)?.payload else { return .str("FieldInfo()") }
            return .str("FieldInfo(" + fieldText(field, fromString: fromString, separator: ", ") + ")")
        }
    }
}
