import Foundation
/// One input or output of a ``Signature``.
public struct Field: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case input, output }

    public var name: String
    public var kind: Kind
    public var type: FieldType
    /// What the field means; `nil` renders no description (DSPy's `${name}` placeholder).
    public var description: String?
    /// Used when the caller (input) or the LM (output) leaves the field out.
    public var defaultValue: Value?
    /// True when the signature string gave no type (`question` rather than `question: str`).
    public var isTypeUndefined: Bool
    /// A prefix set by hand or loaded from a saved program; the ChatAdapter does not show it,
    /// but saved state keeps it (DSPy's `prefix=`).
    private var customPrefix: String?

    public init(
        _ name: String, kind: Kind, type: FieldType = .string, description: String? = nil,
        defaultValue: Value? = nil, isTypeUndefined: Bool = false
    ) {
        self.name = name
        self.kind = kind
        self.type = type
        self.description = description
        self.defaultValue = defaultValue
        self.isTypeUndefined = isTypeUndefined
    }

    /// An input field (`InputField(desc=...)` in DSPy).
    public static func input(_ name: String, _ type: FieldType = .string, description: String? = nil, default value: Value? = nil) -> Field {
        Field(name, kind: .input, type: type, description: description, defaultValue: value)
    }

    /// An output field (`OutputField(desc=...)` in DSPy).
    public static func output(_ name: String, _ type: FieldType = .string, description: String? = nil, default value: Value? = nil) -> Field {
        Field(name, kind: .output, type: type, description: description, defaultValue: value)
    }

    /// DSPy's `infer_prefix` (`someAttributeName42` → `Some Attribute Name 42:`) unless set.
    public var prefix: String {
        get { customPrefix ?? Field.inferPrefix(name) + ":" }
        set { customPrefix = newValue == Field.inferPrefix(name) + ":" ? nil : newValue }
    }

    static func inferPrefix(_ name: String) -> String {
        // Split camelCase, acronyms, digits and snake_case into words.
        var words: [String] = []
        var current = ""
        let chars = Array(name)
        func flush() { if !current.isEmpty { words.append(current); current = "" } }
        for (i, c) in chars.enumerated() {
            if c == "_" { flush(); continue }
            if let prev = current.last {
                let next: Character? = i + 1 < chars.count ? chars[i + 1] : nil
                let boundary =
                    (prev.isLowercase && c.isUppercase) || (prev.isLetter && c.isNumber) || (prev.isNumber && c.isLetter)
                    || (prev.isUppercase && c.isUppercase && (next?.isLowercase ?? false))
                if boundary { flush() }
            }
            current.append(c)
        }
        flush()
        return words.map { w in
            w.count > 1 && w.allSatisfy({ $0.isUppercase || $0.isNumber }) ? w : w.prefix(1).uppercased() + w.dropFirst().lowercased()
        }.joined(separator: " ")
    }
}

/// A malformed signature; the messages follow DSPy's wording, the kind says what to match on.
public struct SignatureError: DSPyError {
    /// What is wrong with the signature.
    public enum Kind: String, Sendable {
        /// The text does not follow `inputs -> outputs` (a missing `->`, name, comma or bracket).
        case syntax
        /// Two fields share a name.
        case duplicateField
        /// A method named a field the signature does not have.
        case unknownField
        /// A type name that is not one of DSPy's.
        case unknownType
        /// A generic type with the wrong parameters (`Optional` with none, `int[str]`).
        case typeParameters
        /// A `Literal` value that is not a constant.
        case literal
        /// Types nested deeper than the parser allows.
        case tooDeep
    }
    public let kind: Kind
    public let summary: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        summary = message
    }

    public var hints: [String] { [] }
    public var code: String { kind.rawValue }
}

/// What a module takes and returns: `"question -> answer"`, with types, descriptions and
/// instructions. A value type: every `with...` method returns a new signature.
public struct Signature: Sendable, Hashable, CustomStringConvertible {
    public private(set) var inputFields: [Field]
    public private(set) var outputFields: [Field]
    private var explicitInstructions: String?

    /// Parses DSPy's string form, e.g. `"question -> answer"` or
    /// `"a, b: int -> c: list[str], ok: bool"`.
    public init(_ string: String, instructions: String? = nil) throws {
        let (inputs, outputs) = try SignatureParser.parse(string)
        try self.init(inputs: inputs, outputs: outputs, instructions: instructions)
    }

    /// Builds a signature from fields, for descriptions and defaults the string form cannot hold.
    public init(inputs: [Field], outputs: [Field], instructions: String? = nil) throws {
        let dup = Set(inputs.map(\.name)).intersection(outputs.map(\.name))
        if !dup.isEmpty {
            throw SignatureError(
                .duplicateField, "Input and output fields must have distinct names, but found duplicates: '\(dup.sorted().joined(separator: ", "))'.")
        }
        self.init(distinctInputs: inputs, outputs: outputs, instructions: instructions)
    }

    /// Builds a signature from fields whose names the caller knows to be distinct (typed
    /// signatures: Swift property names).
    init(distinctInputs inputs: [Field], outputs: [Field], instructions: String?) {
        self.inputFields = inputs.map {
            var f = $0; f.kind = .input; return f
        }
        self.outputFields = outputs.map {
            var f = $0; f.kind = .output; return f
        }
        // Like DSPy, the default sentence is fixed when the signature is made, so adding fields
        // later (ChainOfThought's `reasoning`) keeps the original instructions.
        let given = instructions.map(Signature.cleandoc).flatMap { $0.isEmpty ? nil : $0 }
        self.explicitInstructions = given ?? Signature.defaultInstructions(inputs: inputs, outputs: outputs)
    }

    static func defaultInstructions(inputs: [Field], outputs: [Field]) -> String {
        "Given the fields \(inputs.map { "`\($0.name)`" }.joined(separator: ", ")), produce the fields \(outputs.map { "`\($0.name)`" }.joined(separator: ", "))."
    }

    /// The task description: the given instructions, or DSPy's default sentence.
    public var instructions: String { explicitInstructions ?? "" }

    /// All fields, inputs first.
    public var fields: [Field] { inputFields + outputFields }

    /// The `"a, b -> c"` form.
    public var signatureString: String {
        inputFields.map(\.name).joined(separator: ", ") + " -> " + outputFields.map(\.name).joined(separator: ", ")
    }

    public var description: String { "Signature(\(signatureString))" }

    public func field(named name: String) -> Field? { fields.first { $0.name == name } }

    /// A copy with new instructions.
    public func withInstructions(_ text: String) -> Signature {
        var s = self
        s.explicitInstructions = Signature.cleandoc(text)
        return s
    }

    /// A copy whose instructions have `text` appended after a blank line.
    public func appendingInstructions(_ text: String) -> Signature {
        withInstructions(instructions + "\n\n" + text)
    }

    /// A copy whose instructions have `text` prepended before a blank line.
    public func prependingInstructions(_ text: String) -> Signature {
        withInstructions(text + "\n\n" + instructions)
    }

    /// A copy with `field` inserted first among its kind's fields.
    public func prepending(_ field: Field) throws -> Signature {
        try inserting(field, at: 0)
    }

    /// A copy with `field` appended last among its kind's fields.
    public func appending(_ field: Field) throws -> Signature {
        try inserting(field, at: field.kind == .input ? inputFields.count : outputFields.count)
    }

    /// A copy with `field` inserted at `index` among its kind's fields.
    public func inserting(_ field: Field, at index: Int) throws -> Signature {
        var ins = inputFields.filter { $0.name != field.name }
        var outs = outputFields.filter { $0.name != field.name }
        if field.kind == .input {
            ins.insert(field, at: min(max(0, index), ins.count))
        } else {
            outs.insert(field, at: min(max(0, index), outs.count))
        }
        return try Signature(inputs: ins, outputs: outs, instructions: explicitInstructions)
    }

    /// A copy without the named field.
    public func deleting(_ name: String) -> Signature {
        var s = self
        s.inputFields.removeAll { $0.name == name }
        s.outputFields.removeAll { $0.name == name }
        return s
    }

    /// A copy with the named field's description and/or type replaced.
    public func withUpdatedField(_ name: String, type: FieldType? = nil, description: String? = nil, prefix: String? = nil) throws -> Signature {
        guard field(named: name) != nil else { throw SignatureError(.unknownField, "Unknown field '\(name)' in \(signatureString).") }
        var s = self
        func update(_ f: inout Field) {
            guard f.name == name else { return }
            if let type { f.type = type; f.isTypeUndefined = false }
            if let description { f.description = description }
            if let prefix { f.prefix = prefix }
        }
        for i in s.inputFields.indices { update(&s.inputFields[i]) }
        for i in s.outputFields.indices { update(&s.outputFields[i]) }
        return s
    }

    /// Python's `inspect.cleandoc`: trims blank edge lines and the common indentation.
    static func cleandoc(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard !lines.isEmpty else { return "" }
        let first = lines.removeFirst().trimmingWhitespace()
        let indents = lines.filter { !$0.trimmingWhitespace().isEmpty }.map { $0.prefix { $0 == " " || $0 == "\t" }.count }
        let margin = indents.min() ?? 0
        lines = lines.map { $0.count >= margin ? String($0.dropFirst(margin)) : $0.trimmingWhitespace() }
        lines.insert(first, at: 0)
        while let l = lines.first, l.trimmingWhitespace().isEmpty { lines.removeFirst() }
        while let l = lines.last, l.trimmingWhitespace().isEmpty { lines.removeLast() }
        return lines.map { $0.hasSuffix(" ") || $0.hasSuffix("\t") ? String($0.reversed().drop { $0 == " " || $0 == "\t" }.reversed()) : $0 }.joined(
            separator: "\n")
    }
}

/// Parses the string grammar: each side is a Python parameter list (`name: type = default`).
enum SignatureParser {
    static func parse(_ text: String) throws -> ([Field], [Field]) {
        let parts = text.components(separatedBy: "->")
        guard parts.count == 2 else {
            throw SignatureError(.syntax, "Invalid signature format: '\(text)', must contain exactly one '->'.")
        }
        return (try side(parts[0], kind: .input, whole: text), try side(parts[1], kind: .output, whole: text))
    }

    private static func side(_ text: String, kind: Field.Kind, whole: String) throws -> [Field] {
        var lexer = TypeLexer(text)
        var fields: [Field] = []
        lexer.skipSpace()
        if lexer.atEnd { return [] }
        while true {
            lexer.skipSpace()
            guard let name = lexer.identifier() else {
                throw SignatureError(.syntax, "Invalid signature format: '\(whole)': expected a field name at \(lexer.describePosition()).")
            }
            lexer.skipSpace()
            var type = FieldType.string
            var undefined = true
            if lexer.consume(":") {
                type = try lexer.typeExpression(whole: whole, depth: 0)
                undefined = false
                lexer.skipSpace()
            }
            if lexer.consume("=") {
                try lexer.skipDefault(whole: whole)  // defaults parse but are ignored, as in DSPy
            }
            let field = Field(name, kind: kind, type: type, isTypeUndefined: undefined && kind == .input)
            if let i = fields.firstIndex(where: { $0.name == name }) { fields[i] = field } else { fields.append(field) }
            lexer.skipSpace()
            if lexer.atEnd { break }
            guard lexer.consume(",") else {
                throw SignatureError(.syntax, "Invalid signature format: '\(whole)': expected ',' at \(lexer.describePosition()).")
            }
            lexer.skipSpace()
            if lexer.atEnd { break }  // a trailing comma is valid Python
        }
        return fields
    }
}

/// Character-level reader for field lists and type expressions.
struct TypeLexer {
    let chars: [Character]
    var i = 0

    init(_ text: String) { chars = Array(text) }

    var atEnd: Bool { i >= chars.count }
    func describePosition() -> String { atEnd ? "end of input" : "'\(String(chars[i...]).prefix(12))'" }

    mutating func skipSpace() { while i < chars.count, chars[i].isWhitespace { i += 1 } }

    mutating func consume(_ c: Character) -> Bool {
        skipSpace()
        if i < chars.count, chars[i] == c { i += 1; return true }
        return false
    }

    mutating func identifier() -> String? {
        skipSpace()
        guard i < chars.count, chars[i].isLetter || chars[i] == "_" else { return nil }
        let start = i
        while i < chars.count, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" { i += 1 }
        return String(chars[start..<i])
    }

    mutating func dottedName() -> String? {
        guard var name = identifier() else { return nil }
        while i < chars.count, chars[i] == ".",
            let next = {
                var c = self; c.i += 1; return c.identifier()
            }()
        {
            i += 1
            _ = identifier()
            name += "." + next
        }
        return name
    }

    /// Type parameters nest at most this deep (`list[list[...]]`): deeper input is refused
    /// before the recursive parser can run out of stack.
    static let maxDepth = 64

    mutating func typeExpression(whole: String, depth: Int) throws -> FieldType {
        guard depth < TypeLexer.maxDepth else {
            let shown = whole.count > 80 ? String(whole.prefix(80)) + "…" : whole
            throw SignatureError(.tooDeep, "Invalid signature format: '\(shown)': types are nested more than \(TypeLexer.maxDepth) levels deep.")
        }
        var members = [try primaryType(whole: whole, depth: depth)]
        while consume("|") { members.append(try primaryType(whole: whole, depth: depth)) }
        if members.count == 1 { return members[0] }
        return Self.union(members, pep604: true)
    }

    /// `A | B | ...` as typing builds it: nested unions (and Optionals) flattened, repeats
    /// dropped, `A | None` an Optional.
    static func union(_ members: [FieldType], pep604: Bool) -> FieldType {
        var flat: [FieldType] = []
        for m in members {
            switch m {
            case .union(let ts, _): flat += ts
            case .optional(let t): flat += [t, .none]
            default: flat.append(m)
            }
        }
        var unique: [FieldType] = []
        for m in flat where !unique.contains(m) { unique.append(m) }
        if unique.count == 1 { return unique[0] }
        if unique.count == 2, unique[1] == .none { return .optional(unique[0]) }
        return .union(unique, pep604: pep604)
    }

    private mutating func typeArguments(whole: String, depth: Int) throws -> [FieldType] {
        var args: [FieldType] = []
        if consume("]") { return args }
        repeat { args.append(try typeExpression(whole: whole, depth: depth + 1)) } while consume(",")
        guard consume("]") else { throw SignatureError(.syntax, "Invalid signature format: '\(whole)': expected ']' at \(describePosition()).") }
        return args
    }

    private mutating func primaryType(whole: String, depth: Int) throws -> FieldType {
        skipSpace()
        if consume("(") {
            let grouped = try typeExpression(whole: whole, depth: depth + 1)
            guard consume(")") else { throw SignatureError(.syntax, "Invalid signature format: '\(whole)': expected ')' at \(describePosition()).") }
            return grouped
        }
        guard let name = dottedName() else {
            throw SignatureError(
                .syntax, "Failed to parse string-base Signature due to unhandled AST node type in annotation: \(describePosition()) in '\(whole)'.")
        }
        let hasArgs = consume("[")
        func noArgs(_ t: FieldType) throws -> FieldType {
            if hasArgs { throw SignatureError(.typeParameters, "Type '\(name)' takes no parameters in '\(whole)'.") }
            return t
        }
        func arity(_ args: [FieldType], _ n: Int) throws {
            if args.count != n {
                throw SignatureError(.typeParameters, "Type '\(name)' expects \(n) parameter\(n == 1 ? "" : "s") in '\(whole)', got \(args.count).")
            }
        }
        switch name {
        case "str": return try noArgs(.string)
        case "int": return try noArgs(.int)
        case "float": return try noArgs(.float)
        case "bool": return try noArgs(.bool)
        case "Any", "typing.Any": return try noArgs(.any)
        case "None", "NoneType": return try noArgs(.none)
        case "list", "List", "typing.List":
            guard hasArgs else { return .list(nil) }
            let a = try typeArguments(whole: whole, depth: depth); try arity(a, 1); return .list(a[0])
        case "set", "Set", "frozenset":
            guard hasArgs else { return .set(nil) }
            let a = try typeArguments(whole: whole, depth: depth); try arity(a, 1); return .set(a[0])
        case "dict", "Dict", "typing.Dict":
            guard hasArgs else { return .dict(nil, nil) }
            let a = try typeArguments(whole: whole, depth: depth); try arity(a, 2); return .dict(a[0], a[1])
        case "tuple", "Tuple":
            guard hasArgs else { return .tuple([]) }
            return .tuple(try typeArguments(whole: whole, depth: depth))
        case "Optional", "typing.Optional":
            guard hasArgs else { throw SignatureError(.typeParameters, "Optional needs a type parameter in '\(whole)'.") }
            let a = try typeArguments(whole: whole, depth: depth); try arity(a, 1); return .optional(a[0])
        case "Union", "typing.Union":
            guard hasArgs else { throw SignatureError(.typeParameters, "Union needs type parameters in '\(whole)'.") }
            return Self.union(try typeArguments(whole: whole, depth: depth), pep604: false)
        case "Literal", "typing.Literal":
            guard hasArgs else { throw SignatureError(.typeParameters, "Literal needs values in '\(whole)'.") }
            var values: [Value] = []
            repeat { values.append(try literalConstant(whole: whole)) } while consume(",")
            guard consume("]") else { throw SignatureError(.syntax, "Invalid signature format: '\(whole)': expected ']' at \(describePosition()).") }
            return .literal(values)
        default:
            throw SignatureError(.unknownType, "Unknown name: \(name)")
        }
    }

    private mutating func literalConstant(whole: String) throws -> Value {
        skipSpace()
        guard i < chars.count else { throw SignatureError(.syntax, "Invalid signature format: '\(whole)': unterminated Literal.") }
        let c = chars[i]
        if c == "'" || c == "\"" {
            i += 1
            var s = ""
            while i < chars.count, chars[i] != c {
                if chars[i] == "\\", i + 1 < chars.count { i += 1 }
                s.append(chars[i])
                i += 1
            }
            guard i < chars.count else { throw SignatureError(.syntax, "Invalid signature format: '\(whole)': unterminated string in Literal.") }
            i += 1
            return .string(s)
        }
        let start = i
        while i < chars.count, chars[i] != ",", chars[i] != "]" { i += 1 }
        let word = String(chars[start..<i]).trimmingWhitespace()
        switch word {
        case "True": return .bool(true)
        case "False": return .bool(false)
        case "None": return .null
        default:
            if let n = Int(word) { return .int(n) }
            if let d = Double(word) { return .double(d) }
            throw SignatureError(.literal, "Literal values must be constants, got '\(word)' in '\(whole)'.")
        }
    }

    /// Skips a default value expression up to the next top-level comma.
    mutating func skipDefault(whole: String) throws {
        var depth = 0
        var quote: Character?
        while i < chars.count {
            let c = chars[i]
            if let q = quote {
                if c == "\\" { i += 1 } else if c == q { quote = nil }
            } else if c == "'" || c == "\"" {
                quote = c
            } else if "([{".contains(c) {
                depth += 1
            } else if ")]}".contains(c) {
                depth -= 1
            } else if c == "," && depth == 0 {
                return
            }
            i += 1
        }
        if quote != nil || depth != 0 { throw SignatureError(.syntax, "Invalid signature format: '\(whole)': unbalanced default value.") }
    }
}
