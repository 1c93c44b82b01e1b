import SwiftDiagnostics
import SwiftSyntax
import SwiftSyntaxBuilder
import SwiftSyntaxMacros

/// `@Signature`: reads the struct's `@Input`/`@Output` properties and generates the nested
/// `Input` and `Output` structs, the static `signature`, and the `TypedSignature` conformance.
public struct SignatureMacro: MemberMacro, ExtensionMacro {
    public static func expansion(
        of node: AttributeSyntax,
        providingMembersOf declaration: some DeclGroupSyntax,
        conformingTo protocols: [TypeSyntax],
        in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] {
        guard let structDecl = declaration.as(StructDeclSyntax.self) else {
            context.diagnose(Diagnostic(node: node, message: SignatureDiagnostic.notAStruct(kindName(declaration))))
            return []
        }
        let fields = collectFields(structDecl, in: context)
        let access = accessLevel(structDecl)
        let instructions = instructionsExpression(node, structDecl)
        return [
            inputStruct(fields.filter { $0.kind == .input }, access: access),
            outputStruct(fields.filter { $0.kind == .output }, access: access),
            signatureProperty(fields, instructions: instructions, access: access),
        ]
    }

    public static func expansion(
        of node: AttributeSyntax,
        attachedTo declaration: some DeclGroupSyntax,
        providingExtensionsOf type: some TypeSyntaxProtocol,
        conformingTo protocols: [TypeSyntax],
        in context: some MacroExpansionContext
    ) throws -> [ExtensionDeclSyntax] {
        guard declaration.is(StructDeclSyntax.self), !protocols.isEmpty else { return [] }
        let ext: DeclSyntax = "extension \(type.trimmed): DSPy.TypedSignature {}"
        return ext.as(ExtensionDeclSyntax.self).map { [$0] } ?? []
    }

    // MARK: Reading the struct

    static func kindName(_ decl: some DeclGroupSyntax) -> String {
        if decl.is(ClassDeclSyntax.self) { return "class" }
        if decl.is(EnumDeclSyntax.self) { return "enum" }
        if decl.is(ActorDeclSyntax.self) { return "actor" }
        if decl.is(ProtocolDeclSyntax.self) { return "protocol" }
        if decl.is(ExtensionDeclSyntax.self) { return "extension" }
        return "declaration"
    }

    /// `public`/`package` when the struct has it, so the generated members are as visible.
    static func accessLevel(_ decl: StructDeclSyntax) -> String {
        for m in decl.modifiers {
            switch m.name.tokenKind {
            case .keyword(.public), .keyword(.open): return "public "
            case .keyword(.package): return "package "
            default: continue
            }
        }
        return ""
    }

    /// The instructions: the macro's argument, else the doc comment, else `nil` (DSPy's default).
    static func instructionsExpression(_ node: AttributeSyntax, _ decl: StructDeclSyntax) -> String {
        if let args = node.arguments?.as(LabeledExprListSyntax.self), let first = args.first {
            return first.expression.trimmedDescription
        }
        if let doc = docComment(decl.leadingTrivia) {
            return StringLiteralExprSyntax(content: doc).description
        }
        return "nil"
    }

    /// The text of `///` lines or a `/** */` block before the declaration.
    static func docComment(_ trivia: Trivia) -> String? {
        var lines: [String] = []
        for piece in trivia {
            switch piece {
            case .docLineComment(let text):
                var line = Substring(text.dropFirst(3))
                if line.hasPrefix(" ") { line = line.dropFirst() }
                lines.append(String(line))
            case .docBlockComment(let text):
                var body = Substring(text.dropFirst(3))
                if body.hasSuffix("*/") { body = body.dropLast(2) }
                lines += body.split(separator: "\n", omittingEmptySubsequences: false).map { line in
                    var l = line.drop { $0 == " " || $0 == "\t" }
                    if l.hasPrefix("* ") { l = l.dropFirst(2) } else if l.hasPrefix("*") { l = l.dropFirst() }
                    return String(l)
                }
            default:
                continue
            }
        }
        let text = lines.joined(separator: "\n")
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        guard let start = text.firstIndex(where: { !blank($0) }), let end = text.lastIndex(where: { !blank($0) }) else { return nil }
        return String(text[start...end])
    }

    static func collectFields(_ decl: StructDeclSyntax, in context: some MacroExpansionContext) -> [FieldSpec] {
        var fields: [FieldSpec] = []
        for member in decl.memberBlock.members {
            guard let variable = member.decl.as(VariableDeclSyntax.self) else { continue }
            if variable.modifiers.contains(where: { $0.name.tokenKind == .keyword(.static) || $0.name.tokenKind == .keyword(.class) }) {
                continue
            }
            let markers = variable.attributes.compactMap { element -> (FieldSpec.Kind, AttributeSyntax)? in
                guard case .attribute(let attr) = element else { return nil }
                switch attr.attributeName.trimmedDescription {
                case "Input", "DSPy.Input": return (.input, attr)
                case "Output", "DSPy.Output": return (.output, attr)
                default: return nil
                }
            }
            let stored = variable.bindings.allSatisfy(isStored)
            if markers.count > 1 {
                context.diagnose(Diagnostic(node: markers[1].1, message: SignatureDiagnostic.bothMarkers))
                continue
            }
            guard let (kind, attr) = markers.first else {
                if stored {
                    let names = variable.bindings.map { $0.pattern.trimmedDescription }.joined(separator: ", ")
                    context.diagnose(Diagnostic(node: variable.bindingSpecifier, message: SignatureDiagnostic.unmarked(names)))
                }
                continue
            }
            guard variable.bindings.count == 1, let binding = variable.bindings.first else {
                context.diagnose(Diagnostic(node: variable.bindings, message: SignatureDiagnostic.oneFieldPerDeclaration))
                continue
            }
            guard let ident = binding.pattern.as(IdentifierPatternSyntax.self) else {
                context.diagnose(Diagnostic(node: binding.pattern, message: SignatureDiagnostic.notAnIdentifier))
                continue
            }
            guard stored else {
                context.diagnose(Diagnostic(node: binding, message: SignatureDiagnostic.computed(ident.identifier.text)))
                continue
            }
            guard let written = binding.typeAnnotation?.type else {
                context.diagnose(Diagnostic(node: binding.pattern, message: SignatureDiagnostic.missingType(ident.identifier.text)))
                continue
            }
            if let reason = unsupportedReason(written) {
                // At the written type (not a trimmed copy), so the compiler can point at it.
                context.diagnose(Diagnostic(node: written, message: SignatureDiagnostic.unsupportedType(written.trimmedDescription, reason)))
                continue
            }
            let type = written.trimmed
            let desc = attr.arguments?.as(LabeledExprListSyntax.self)?.first { $0.label?.text == "desc" }?.expression.trimmed
            fields.append(
                FieldSpec(
                    kind: kind, identifier: ident.identifier.trimmed.text, type: type, description: desc,
                    defaultValue: binding.initializer?.value.trimmed, isOptional: isOptional(type)))
        }
        return fields
    }

    /// A binding without accessors, or with only observers (`willSet`/`didSet`), is stored.
    static func isStored(_ binding: PatternBindingSyntax) -> Bool {
        guard let accessors = binding.accessorBlock?.accessors else { return true }
        switch accessors {
        case .getter: return false
        case .accessors(let list):
            return list.allSatisfy { $0.accessorSpecifier.tokenKind == .keyword(.willSet) || $0.accessorSpecifier.tokenKind == .keyword(.didSet) }
        }
    }

    static func isOptional(_ type: TypeSyntax) -> Bool {
        if type.is(OptionalTypeSyntax.self) { return true }
        if let id = type.as(IdentifierTypeSyntax.self), id.name.text == "Optional" { return true }
        return false
    }

    /// Why a field type cannot be a signature field, for types the macro can rule out from the
    /// syntax alone; other named types must conform to `SignatureValue` (the compiler checks).
    static func unsupportedReason(_ type: TypeSyntax) -> String? {
        if let id = type.as(IdentifierTypeSyntax.self) {
            let args = id.genericArgumentClause?.arguments.compactMap { $0.argument.as(TypeSyntax.self) } ?? []
            switch id.name.text {
            case "Any", "AnyObject": return "use Value for a field of any type"
            case "Void", "Never": return "a field needs a value"
            case "Set": return "use an array ([T]); sets have no fixed order to render"
            case "Optional" where args.count == 1:
                if isOptional(args[0]) { return "nested optionals have no DSPy type" }
                return unsupportedReason(args[0])
            case "Array" where args.count == 1:
                return unsupportedReason(args[0])
            case "Dictionary" where args.count == 2:
                return dictionaryReason(key: args[0], value: args[1])
            default:
                return nil
            }
        }
        if let opt = type.as(OptionalTypeSyntax.self) {
            if isOptional(opt.wrappedType) { return "nested optionals have no DSPy type" }
            return unsupportedReason(opt.wrappedType)
        }
        if let arr = type.as(ArrayTypeSyntax.self) { return unsupportedReason(arr.element) }
        if let dict = type.as(DictionaryTypeSyntax.self) { return dictionaryReason(key: dict.key, value: dict.value) }
        if type.is(MemberTypeSyntax.self) { return nil }
        if let tuple = type.as(TupleTypeSyntax.self) {
            if tuple.elements.count == 1, let only = tuple.elements.first, only.firstName == nil {
                return unsupportedReason(only.type)
            }
            return "tuples have no field names in a prompt; use a struct conforming to SignatureValue or an array"
        }
        if type.is(ImplicitlyUnwrappedOptionalTypeSyntax.self) { return "use an optional (T?) instead" }
        if type.is(FunctionTypeSyntax.self) { return "functions cannot be written by an LM" }
        if type.is(SomeOrAnyTypeSyntax.self) { return "existential and opaque types have no DSPy type; use a concrete type" }
        if type.is(MetatypeTypeSyntax.self) { return "metatypes cannot be written by an LM" }
        if type.is(CompositionTypeSyntax.self) { return "protocol compositions have no DSPy type" }
        return "DSPy cannot map it to a field type"
    }

    static func dictionaryReason(key: TypeSyntax, value: TypeSyntax) -> String? {
        guard key.trimmedDescription == "String" || key.trimmedDescription == "Swift.String" else {
            return "dictionary keys must be String (dict[str, T])"
        }
        return unsupportedReason(value)
    }

    // MARK: Generating

    static func inputStruct(_ fields: [FieldSpec], access: String) -> DeclSyntax {
        let props = fields.map { "\(access)var \($0.identifier): \($0.type)" }.joined(separator: "\n")
        let puts = fields.map { "DSPy.TypedSignatureSupport.put(\($0.identifier), \($0.nameLiteral), into: &values)" }.joined(separator: "\n")
        return """
            /// The signature's input fields.
            \(raw: access)struct Input: DSPy.SignatureInput {
            \(raw: props)
            \(raw: memberwiseInit(fields, access: access))
            /// The fields as the dynamic inputs a module takes.
            \(raw: access)var dspyInputs: DSPy.Inputs {
            var values = DSPy.Inputs()
            \(raw: puts)
            return values
            }
            }
            """
    }

    static func outputStruct(_ fields: [FieldSpec], access: String) -> DeclSyntax {
        let props = fields.map { "\(access)var \($0.identifier): \($0.type)" }.joined(separator: "\n")
        let decodes = fields.map {
            "self.\($0.identifier) = try DSPy.TypedSignatureSupport.decode((\($0.type)).self, \($0.nameLiteral), from: prediction)"
        }.joined(separator: "\n")
        return """
            /// The signature's output fields.
            \(raw: access)struct Output: DSPy.SignatureOutput {
            \(raw: props)
            \(raw: memberwiseInit(fields, access: access))
            /// Decodes each output of `prediction` into its declared type.
            \(raw: access)init(_ prediction: DSPy.Prediction) throws(DSPy.SignatureDecodingError) {
            \(raw: decodes)
            }
            }
            """
    }

    static func memberwiseInit(_ fields: [FieldSpec], access: String) -> String {
        let params = fields.map { f -> String in
            var p = "\(f.identifier): \(f.type)"
            if let d = f.defaultValue { p += " = \(d)" } else if f.isOptional { p += " = nil" }
            return p
        }.joined(separator: ", ")
        let body = fields.map { "self.\($0.identifier) = \($0.identifier)" }.joined(separator: "\n")
        return "\(access)init(\(params)) {\n\(body)\n}"
    }

    static func signatureProperty(_ fields: [FieldSpec], instructions: String, access: String) -> DeclSyntax {
        func list(_ kind: FieldSpec.Kind) -> String {
            let items = fields.filter { $0.kind == kind }.map { f -> String in
                var call = "DSPy.TypedSignatureSupport.field(\(f.nameLiteral), .\(kind == .input ? "input" : "output"), (\(f.type)).self"
                if let d = f.description { call += ", description: \(d)" }
                if kind == .output, let v = f.defaultValue { call += ", default: \(v)" }
                return call + ")"
            }
            return items.isEmpty ? "[]" : "[\n" + items.joined(separator: ",\n") + ",\n]"
        }
        return """
            /// The signature built from the fields above, as `Predict` and the adapters use it.
            \(raw: access)static var signature: DSPy.Signature {
            DSPy.TypedSignatureSupport.signature(
            inputs: \(raw: list(.input)),
            outputs: \(raw: list(.output)),
            instructions: \(raw: instructions)
            )
            }
            """
    }
}

/// One `@Input` or `@Output` property.
struct FieldSpec {
    enum Kind { case input, output }
    let kind: Kind
    /// The property name as written (backticks kept, so keywords stay escaped).
    let identifier: String
    let type: TypeSyntax
    let description: ExprSyntax?
    let defaultValue: ExprSyntax?
    let isOptional: Bool

    /// The DSPy field name: the property name without backticks, as a string literal.
    var nameLiteral: String {
        var name = identifier
        if name.hasPrefix("`") && name.hasSuffix("`") && name.count > 1 { name = String(name.dropFirst().dropLast()) }
        return StringLiteralExprSyntax(content: name).description
    }
}

/// `@Input` and `@Output` only mark properties for `@Signature`; they generate nothing, but check
/// where they are used.
public struct FieldMacro: PeerMacro {
    public static func expansion(
        of node: AttributeSyntax,
        providingPeersOf declaration: some DeclSyntaxProtocol,
        in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] {
        let name = node.attributeName.trimmedDescription
        guard declaration.is(VariableDeclSyntax.self) else {
            context.diagnose(Diagnostic(node: node, message: SignatureDiagnostic.markerNotOnProperty(name)))
            return []
        }
        let inSignature =
            context.lexicalContext.first.map { decl in
                decl.as(StructDeclSyntax.self)?.attributes.contains { element in
                    guard case .attribute(let attr) = element else { return false }
                    let n = attr.attributeName.trimmedDescription
                    return n == "Signature" || n == "DSPy.Signature"
                } ?? false
            } ?? false
        if !inSignature {
            context.diagnose(Diagnostic(node: node, message: SignatureDiagnostic.markerOutsideSignature(name)))
        }
        return []
    }
}

enum SignatureDiagnostic: DiagnosticMessage {
    case notAStruct(String)
    case unmarked(String)
    case bothMarkers
    case oneFieldPerDeclaration
    case notAnIdentifier
    case computed(String)
    case missingType(String)
    case unsupportedType(String, String)
    case markerNotOnProperty(String)
    case markerOutsideSignature(String)

    var message: String {
        switch self {
        case .notAStruct(let kind): return "@Signature can only be applied to a struct, not to a \(kind)"
        case .unmarked(let names): return "stored property '\(names)' of a @Signature struct needs @Input or @Output"
        case .bothMarkers: return "a field is either @Input or @Output, not both"
        case .oneFieldPerDeclaration: return "declare one field per 'var' in a @Signature struct"
        case .notAnIdentifier: return "a signature field needs a plain name"
        case .computed(let name): return "field '\(name)' must be a stored property, not a computed one"
        case .missingType(let name): return "field '\(name)' needs an explicit type (e.g. '\(name): String')"
        case .unsupportedType(let type, let reason): return "type '\(type)' cannot be a signature field: \(reason)"
        case .markerNotOnProperty(let name): return "@\(name) can only be applied to a stored property"
        case .markerOutsideSignature(let name): return "@\(name) has effect only on a property of a @Signature struct"
        }
    }

    var diagnosticID: MessageID {
        let id: String
        switch self {
        case .notAStruct: id = "notAStruct"
        case .unmarked: id = "unmarked"
        case .bothMarkers: id = "bothMarkers"
        case .oneFieldPerDeclaration: id = "oneFieldPerDeclaration"
        case .notAnIdentifier: id = "notAnIdentifier"
        case .computed: id = "computed"
        case .missingType: id = "missingType"
        case .unsupportedType: id = "unsupportedType"
        case .markerNotOnProperty: id = "markerNotOnProperty"
        case .markerOutsideSignature: id = "markerOutsideSignature"
        }
        return MessageID(domain: "DSPyMacros", id: id)
    }

    var severity: DiagnosticSeverity { .error }
}
