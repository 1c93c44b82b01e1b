import DSPyMacroExpansion
import SwiftDiagnostics
import SwiftParser
import SwiftSyntax
import SwiftSyntaxMacroExpansion
import SwiftSyntaxMacrosGenericTestSupport
import Testing

private let specs: [String: MacroSpec] = [
    "Signature": MacroSpec(type: SignatureMacro.self, conformances: ["TypedSignature"]),
    "Input": MacroSpec(type: FieldMacro.self),
    "Output": MacroSpec(type: FieldMacro.self),
]

/// Expands the macros in `source`: the expanded text and the diagnostics' messages.
private func expand(_ source: String) -> (text: String, diagnostics: [String]) {
    let file = Parser.parse(source: source)
    let context = BasicMacroExpansionContext(sourceFiles: [file: .init(moduleName: "TestModule", fullFilePath: "test.swift")])
    let expanded = file.expand(
        macroSpecs: specs,
        contextGenerator: { BasicMacroExpansionContext(sharingWith: context, lexicalContext: $0.allMacroLexicalContexts()) },
        indentationWidth: .spaces(4))
    return (expanded.description, context.diagnostics.map(\.message))
}

@Suite struct SignatureMacroTests {
    @Test func generatesInputOutputSignatureAndConformance() {
        let (text, diagnostics) = expand(
            """
            @Signature("Answer questions.")
            struct QA {
                @Input(desc: "a trivia question") var question: String
                @Output var answer: Int
                @Output var tags: [String]? = nil
            }
            """)
        #expect(diagnostics.isEmpty)
        #expect(text.contains("struct Input: DSPy.SignatureInput {"))
        #expect(text.contains("var question: String"))
        #expect(text.contains("init(question: String) {"))
        #expect(text.contains("DSPy.TypedSignatureSupport.put(question, \"question\", into: &values)"))
        #expect(text.contains("struct Output: DSPy.SignatureOutput {"))
        #expect(text.contains("init(answer: Int, tags: [String]? = nil) {"))
        #expect(text.contains("self.answer = try DSPy.TypedSignatureSupport.decode((Int).self, \"answer\", from: prediction)"))
        #expect(text.contains("DSPy.TypedSignatureSupport.field(\"question\", .input, (String).self, description: \"a trivia question\")"))
        #expect(text.contains("DSPy.TypedSignatureSupport.field(\"tags\", .output, ([String]?).self, default: nil)"))
        #expect(text.contains("instructions: \"Answer questions.\""))
        #expect(text.contains("extension QA: DSPy.TypedSignature {"))
        #expect(!text.contains("@Input") && !text.contains("@Signature"))
    }

    @Test func docCommentBecomesInstructions() {
        let (text, diagnostics) = expand(
            """
            /// Classify "sentiment".
            ///
            /// Be strict.
            @Signature
            public struct S {
                @Input public var sentence: String
                @Output public var label: String
            }
            """)
        #expect(diagnostics.isEmpty)
        #expect(text.contains(##"instructions: #"Classify "sentiment".\#n\#nBe strict."#"##))
        #expect(text.contains("public struct Input: DSPy.SignatureInput {"))
        #expect(text.contains("public static var signature: DSPy.Signature {"))
    }

    @Test func noInstructionsPassNil() {
        let (text, _) = expand("@Signature struct S { @Input var a: String\n @Output var b: String }")
        #expect(text.contains("instructions: nil"))
    }

    @Test func nonStructIsRejected() {
        assertMacroExpansion(
            "@Signature enum E {}",
            expandedSource: "enum E {}",
            diagnostics: [DiagnosticSpec(message: "@Signature can only be applied to a struct, not to a enum", line: 1, column: 1)],
            macroSpecs: specs,
            failureHandler: { spec in
                Issue.record(
                    Comment(rawValue: spec.message),
                    sourceLocation: SourceLocation(
                        fileID: spec.location.fileID, filePath: spec.location.filePath, line: spec.location.line, column: spec.location.column))
            })
    }

    @Test func unmarkedStoredPropertyIsAnError() {
        let (_, diagnostics) = expand(
            """
            @Signature struct S {
                @Input var a: String
                var helper: Int
                var computed: Int { 3 }
                static var shared = 1
                @Output var b: String
            }
            """)
        #expect(diagnostics == ["stored property 'helper' of a @Signature struct needs @Input or @Output"])
    }

    @Test func unmappableTypesAreNamed() {
        let (_, diagnostics) = expand(
            """
            @Signature struct S {
                @Input var a: (Int, Int)
                @Input var b: [Int: String]
                @Input var c: any Sendable
                @Output var d: Int!
                @Output var e: Set<String>
                @Output var f: Int??
                @Output var ok: [String: [Mood?]]
            }
            """)
        #expect(
            diagnostics == [
                "type '(Int, Int)' cannot be a signature field: tuples have no field names in a prompt; use a struct conforming to SignatureValue or an array",
                "type '[Int: String]' cannot be a signature field: dictionary keys must be String (dict[str, T])",
                "type 'any Sendable' cannot be a signature field: existential and opaque types have no DSPy type; use a concrete type",
                "type 'Int!' cannot be a signature field: use an optional (T?) instead",
                "type 'Set<String>' cannot be a signature field: use an array ([T]); sets have no fixed order to render",
                "type 'Int??' cannot be a signature field: nested optionals have no DSPy type",
            ])
    }

    @Test func malformedFieldsAreErrors() {
        let (_, diagnostics) = expand(
            """
            @Signature struct S {
                @Input @Output var a: String
                @Input var b = "x"
                @Input var c, d: String
                @Output var e: String { "e" }
            }
            """)
        #expect(
            diagnostics == [
                "peer macro can only be applied to a single variable",  // swift-syntax's own, as the compiler's
                "a field is either @Input or @Output, not both",
                "field 'b' needs an explicit type (e.g. 'b: String')",
                "declare one field per 'var' in a @Signature struct",
                "field 'e' must be a stored property, not a computed one",
            ])
    }

    @Test func markersOutsideASignatureAreErrors() {
        let (_, diagnostics) = expand(
            """
            struct Plain {
                @Input var a: String
            }
            @Signature struct S {
                @Output func f() {}
                @Output var b: String
            }
            """)
        #expect(diagnostics.contains("@Input has effect only on a property of a @Signature struct"))
        #expect(diagnostics.contains("@Output can only be applied to a stored property"))
        #expect(diagnostics.count == 2)
    }
}
