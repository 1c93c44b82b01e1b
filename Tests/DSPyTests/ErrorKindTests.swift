import Testing
@testable import DSPy

/// Errors that callers match on carry a kind and a stable code, not only text.
@Suite struct ErrorKindTests {
    @Test(arguments: [
        ("question answer", SignatureError.Kind.syntax),
        ("a -> a", .duplicateField),
        ("a: frobnicate -> b", .unknownType),
        ("a: Optional -> b", .typeParameters),
        ("a: int[str] -> b", .typeParameters),
        ("a: Literal[x] -> b", .literal),
        ("a: " + String(repeating: "list[", count: 200) + "int" + String(repeating: "]", count: 200) + " -> b", .tooDeep),
    ])
    func signatureErrorsHaveKinds(text: String, kind: SignatureError.Kind) {
        let error = #expect(throws: SignatureError.self) { try Signature(text) }
        #expect(error?.kind == kind, "\(text): \(error?.summary ?? "no error")")
        #expect(error?.code == kind.rawValue)
        #expect(error?.description == error?.summary)
    }

    @Test func unknownFieldIsItsOwnKind() throws {
        let error = #expect(throws: SignatureError.self) { try Signature("q -> a").withUpdatedField("nope", description: "x") }
        #expect(error?.kind == .unknownField)
    }
}
