import Testing
@testable import DSPy

@Suite struct SignatureTests {
    @Test func parsesInputsAndOutputs() throws {
        let s = try Signature("input1, input2 -> output")
        #expect(s.inputFields.map(\.name) == ["input1", "input2"])
        #expect(s.outputFields.map(\.name) == ["output"])
        #expect(s.signatureString == "input1, input2 -> output")
        #expect(s.inputFields[0].isTypeUndefined)
        #expect(!s.outputFields[0].isTypeUndefined)
    }

    @Test func defaultInstructions() throws {
        #expect(try Signature("a, b -> c").instructions == "Given the fields `a`, `b`, produce the fields `c`.")
        #expect(try Signature("a -> b", instructions: "  Answer briefly.\n").instructions == "Answer briefly.")
    }

    @Test(arguments: ["", "a, b", "a -> b -> c"])
    func needsExactlyOneArrow(text: String) {
        #expect {
            try Signature(text)
        } throws: { e in
            "\(e)" == "Invalid signature format: '\(text)', must contain exactly one '->'."
        }
    }

    @Test func duplicateNamesAcrossSidesAreRejected() {
        #expect {
            try Signature("b, value -> value, b")
        } throws: { e in
            "\(e)" == "Input and output fields must have distinct names, but found duplicates: 'b, value'."
        }
    }

    @Test func unknownTypeNames() {
        #expect { try Signature("a: Foo -> b") } throws: { "\($0)" == "Unknown name: Foo" }
        #expect { try Signature("a -> b: list[Bar]") } throws: { "\($0)" == "Unknown name: Bar" }
    }

    @Test func malformedFieldLists() {
        #expect(throws: SignatureError.self) { try Signature("a b -> c") }
        #expect(throws: SignatureError.self) { try Signature("1a -> c") }
        #expect(throws: SignatureError.self) { try Signature("a: list[str -> c") }
        #expect(throws: SignatureError.self) { try Signature("a: Literal[x] -> c") }
    }

    @Test(arguments: [
        ("int", "int"), ("list[int]", "list[int]"), ("dict[str, float]", "dict[str, float]"),
        ("tuple[str, int]", "tuple[str, int]"), ("Optional[str]", "Union[str, NoneType]"),
        ("Union[int, str]", "Union[int, str]"), ("Any", "Any"), ("str | None", "Union[str, NoneType]"),
        ("str | (int | float) | None", "Union[str, int, float, NoneType]"), ("str | Optional[int]", "Union[str, int, NoneType]"),
        ("int | int", "int"), ("int | str", "Union[int, str]"),
        ("list[dict[str, Any]]", "list[dict[str, Any]]"), ("Literal['a', 'b']", "Literal['a', 'b']"),
        ("Literal[1, True]", "Literal[1, True]"), ("List[str]", "list[str]"), ("list", "list"), ("dict", "dict"),
    ])
    func typeNamesRenderLikeDSPy(annotation: String, name: String) throws {
        let s = try Signature("x -> y: \(annotation)")
        #expect(s.outputFields[0].type.pythonName == name)
    }

    @Test func jsonSchemasPutTypeFirst() throws {
        #expect(JSON.pythonDumps(FieldType.list(.string).jsonSchema) == #"{"type": "array", "items": {"type": "string"}}"#)
        #expect(JSON.pythonDumps(FieldType.dict(.string, .any).jsonSchema) == #"{"type": "object", "additionalProperties": true}"#)
        #expect(
            JSON.pythonDumps(FieldType.tuple([.int, .string]).jsonSchema)
                == #"{"type": "array", "maxItems": 2, "minItems": 2, "prefixItems": [{"type": "integer"}, {"type": "string"}]}"#)
        #expect(JSON.pythonDumps(FieldType.optional(.int).jsonSchema) == #"{"anyOf": [{"type": "integer"}, {"type": "null"}]}"#)
    }

    @Test func defaultsAndTrailingCommasParse() throws {
        let s = try Signature("x: int = 3, y: str = 'a,b', -> z")
        #expect(s.inputFields.map(\.name) == ["x", "y"])
        #expect(s.inputFields[0].type == .int)
    }

    @Test func inferPrefix() {
        #expect(Field.inferPrefix("someAttributeName42IsCool") == "Some Attribute Name 42 Is Cool")
        #expect(Field.inferPrefix("URLAddress") == "URL Address")
        #expect(Field.inferPrefix("isHTTPSSecure123") == "Is HTTPS Secure 123")
        #expect(Field.output("answer").prefix == "Answer:")
        #expect(Field.input("question_text").prefix == "Question Text:")
    }

    @Test func editingReturnsNewSignatures() throws {
        let s = try Signature("question -> answer")
        let t = s.appendingInstructions("Be brief.")
        #expect(t.instructions == "Given the fields `question`, produce the fields `answer`.\n\nBe brief.")
        #expect(s.instructions == "Given the fields `question`, produce the fields `answer`.")
        let u = try s.prepending(.output("reasoning")).withUpdatedField("answer", type: .int, description: "a number")
        #expect(u.outputFields.map(\.name) == ["reasoning", "answer"])
        #expect(u.outputFields[1].type == .int && u.outputFields[1].description == "a number")
        #expect(u.deleting("reasoning").outputFields.map(\.name) == ["answer"])
        #expect(throws: SignatureError.self) { try s.withUpdatedField("nope", description: "x") }
    }
}

@Suite struct ValueTests {
    @Test func pythonRendering() {
        #expect(Value.string("it's").pythonRepr == "\"it's\"")
        #expect(Value.string("a'b\"c").pythonRepr == "'a\\'b\"c'")
        #expect(Value.string("line\nbreak").pythonRepr == "'line\\nbreak'")
        #expect(Value.object(["k": [1, 2.5, true, nil]]).pythonRepr == "{'k': [1, 2.5, True, None]}")
        #expect(Value.double(1e16).pythonStr == "1e+16")
        #expect(Value.double(1e15).pythonStr == "1000000000000000.0")
        #expect(Value.double(0.0001).pythonStr == "0.0001")
        #expect(Value.double(0.00001).pythonStr == "1e-05")
        #expect(Value.double(-2.5e-7).pythonStr == "-2.5e-07")
        #expect(Value.double(3).pythonStr == "3.0")
        #expect(Value.double(123456.789).pythonStr == "123456.789")
    }

    @Test func jsonRoundTripKeepsOrderAndNumbers() throws {
        let text = #"{"z": 1, "a": [1.5, -2, "\u00e9\n", null, true], "m": {"k": 1e3}}"#
        let v = try JSON.parse(text)
        #expect(v.objectValue.map { Array($0.keys) } == ["z", "a", "m"])
        #expect(v["a"] == [1.5, -2, "é\n", nil, true])
        #expect(v["m"]["k"] == .double(1000))
        #expect(JSON.compact(v) == #"{"z":1,"a":[1.5,-2,"é\n",null,true],"m":{"k":1000.0}}"#)
        #expect(try JSON.parse(JSON.compact(v)) == v)
    }

    @Test func linesSplitAtNewlineBytesInStringsAndSubstrings() {
        var rng = SystemRandomNumberGenerator()
        let pieces = ["a", "\n", "\r\n", "\r", "é", "日本", "🧪", " ", "\n\n"]
        for _ in 0..<500 {
            let text = (0..<Int.random(in: 0...20, using: &rng)).map { _ in pieces.randomElement(using: &rng) ?? "" }.joined()
            let expected = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { String(Substring($0)) }
            #expect(text.linesByNewlineByte().map(String.init) == expected, "\(text.debugDescription)")
            // Cut by bytes: a Character cut would take a \r into the \r\n that follows it.
            let padded = "x\n" + text + "\ny"
            let inner = padded[padded.utf8.index(padded.utf8.startIndex, offsetBy: 2)..<padded.utf8.index(padded.utf8.endIndex, offsetBy: -2)]
            #expect(inner.linesByNewlineByte().map(String.init) == expected, "\(text.debugDescription)")
            #expect(text.containsByte(UInt8(ascii: "\r")) == text.utf8.contains(UInt8(ascii: "\r")))
        }
    }

    @Test func trimmingStripsASCIIWhitespaceScalarByScalar() {
        #expect("  a b\r\n".trimmingWhitespace() == "a b")
        #expect("\t\u{0B}\u{0C}x\r\n\r\n".trimmingWhitespace() == "x")
        #expect(" \u{301}é ".trimmingWhitespace() == "\u{301}é")  // Python strips the space before a combining mark
        #expect("\u{A0}x\u{A0}".trimmingWhitespace() == "\u{A0}x\u{A0}")  // only ASCII whitespace
        #expect(" \n ".trimmingWhitespace() == "")
        #expect("".trimmingWhitespace() == "")
        #expect("xx  yy  ".dropFirst().trimmingWhitespace() == "x  yy")
        #expect(!" \r\n\t".hasNonWhitespace)
        #expect(" 日 ".hasNonWhitespace)
    }

    @Test func numbersAndStringsReadTheSameOnTheFastAndTheGeneralPath() throws {
        // Up to 18 digits are read directly; longer integers by Int's parser, then as a double.
        #expect(try JSON.parse("123456789012345678") == .int(123_456_789_012_345_678))
        #expect(try JSON.parse("-123456789012345678") == .int(-123_456_789_012_345_678))
        #expect(try JSON.parse("9223372036854775807") == .int(Int.max))
        #expect(try JSON.parse("-9223372036854775808") == .int(Int.min))
        #expect(try JSON.parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(try JSON.parse("[-0, 0, 7]") == [0, 0, 7])
        #expect(try JSON.parse("1.5e3") == .double(1500))
        func failure(_ text: String) -> JSONParseError? {
            do {
                _ = try JSON.parse(text)
                return nil
            } catch { return error }
        }
        #expect(failure("-")?.message == "invalid number '-'")
        // A string without escapes is taken as it is; one with escapes after a plain prefix keeps
        // the prefix; a raw control character is refused where it stands.
        #expect(try JSON.parse(#""plain é 日本""#) == "plain é 日本")
        #expect(try JSON.parse(#""prefix then \"escapes\" \u00e9\n""#) == "prefix then \"escapes\" é\n")
        #expect(failure("\"ab\u{01}c\"")?.offset == 3)
        #expect(failure("\"ab\\n\u{01}\"")?.offset == 5)
        #expect(failure("\"unterminated")?.message == "unterminated string")
        #expect(try JSON.parseLenient("'raw\u{01}control'") == "raw\u{01}control")
    }

    @Test func stringsEscapeExactlyTheCharactersJSONRequires() throws {
        let tricky = "plain \"quoted\" back\\slash\ttab\r\n\u{08}\u{0C}\u{01}\u{1F} é 日本 🧪 e\u{301} end"
        #expect(JSON.compact(.string(tricky)) == #""plain \"quoted\" back\\slash\ttab\r\n\b\f\u0001\u001f é 日本 🧪 é end""#)
        #expect(try JSON.parse(JSON.compact(.string(tricky))) == .string(tricky))
        for _ in 0..<200 {
            let pool: [Unicode.Scalar] = ["a", "\"", "\\", "\n", "\u{00}", "\u{7F}", "é", "€", "😀", " ", "\u{1B}"]
            let s = String(String.UnicodeScalarView((0..<Int.random(in: 0...20)).map { _ in pool.randomElement() ?? "a" }))
            #expect(try JSON.parse(JSON.compact(.string(s))) == .string(s))
        }
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "tru", "\"unterminated", "01x", "{'a': 1}"])
    func strictJSONRejectsGarbage(text: String) {
        #expect(throws: JSONParseError.self) { try JSON.parse(text) }
    }

    @Test func lenientParsingAcceptsPythonLiterals() throws {
        #expect(try JSON.parseLenient("{'a': True, 'b': None, 'c': (1, 2), d: [1,],}") == ["a": true, "b": nil, "c": [1, 2], "d": [1]])
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSON.parse(deep) }
    }
}
