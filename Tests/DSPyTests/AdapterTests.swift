import Testing
@testable import DSPy

private func roles(_ messages: [Message]) -> [(role: String, content: String)] {
    messages.map { ($0.role.rawValue, $0.content) }
}

private func expectSame(_ got: [Message], _ want: [(role: String, content: String)], sourceLocation: SourceLocation = #_sourceLocation) {
    let g = roles(got)
    #expect(g.count == want.count, sourceLocation: sourceLocation)
    for (a, b) in zip(g, want) {
        #expect(a.role == b.role, sourceLocation: sourceLocation)
        #expect(a.content == b.content, sourceLocation: sourceLocation)
    }
}

let classifySignature = try! Signature(
    inputs: [.input("review", description: "a product review")],
    outputs: [
        .output("sentiment", .literal(["positive", "negative", "neutral"])),
        .output("confidence", .float, description: "between 0 and 1"),
        .output("keywords", .list(.string)),
    ],
    instructions: "Classify the sentiment of a product review.")

@Suite struct ChatAdapterFormatTests {
    @Test func predictMessagesMatchDSPyByteForByte() throws {
        let messages = ChatAdapter().format(
            signature: try Signature("question -> answer"), demos: [],
            inputs: ["question": "What is the capital of France?"])
        expectSame(messages, DSPyCapturedPrompts.predict)
    }

    @Test func chainOfThoughtMessagesMatchDSPy() throws {
        let cot = try ChainOfThought("question -> answer")
        let messages = ChatAdapter().format(signature: cot.signature, demos: [], inputs: ["question": "Why is the sky blue?"])
        expectSame(messages, DSPyCapturedPrompts.chainOfThought)
    }

    @Test func demoMessagesMatchDSPy() throws {
        let demo = Example(["question": "What is 1+1?", "answer": "2"])
        let messages = ChatAdapter().format(
            signature: try Signature("question -> answer"), demos: [demo],
            inputs: ["question": "What is 2+2?"])
        expectSame(messages, DSPyCapturedPrompts.predictWithDemo)
    }

    @Test func typedFieldsMatchDSPy() throws {
        let messages = ChatAdapter().format(
            signature: classifySignature, demos: [],
            inputs: ["review": "Battery life is great, screen is dim."])
        expectSame(messages, DSPyCapturedPrompts.typedClassify)
    }

    @Test func typedNotesAndRequirements() throws {
        let sig = try Signature("question: str, k: int -> answer: int, tags: list[str], verdict: Literal['yes','no'], ok: bool, score: float")
        let system = ChatAdapter().systemMessage(sig)
        #expect(system.contains("{answer}        # note: the value you produce must be a single int value"))
        #expect(
            system.contains(
                "{tags}        # note: the value you produce must adhere to the JSON schema: {\"type\": \"array\", \"items\": {\"type\": \"string\"}}"
            ))
        #expect(system.contains("{verdict}        # note: the value you produce must exactly match (no extra characters) one of: yes; no"))
        #expect(system.contains("{ok}        # note: the value you produce must be True or False"))
        #expect(system.contains("{score}        # note: the value you produce must be a single float value"))
        #expect(system.hasPrefix("Your input fields are:\n1. `question` (str): \n2. `k` (int):\nYour output fields are:\n1. `answer` (int): \n"))
        let user = ChatAdapter().userMessage(sig, ["question": "q", "k": 3], prefix: nil, mainRequest: true)
        #expect(user.hasPrefix("[[ ## question ## ]]\nq\n\n[[ ## k ## ]]\n3\n\n"))
        #expect(user.contains("then `[[ ## tags ## ]]` (must be formatted as a valid Python list[str])"))
        #expect(user.contains("then `[[ ## verdict ## ]]` (must be formatted as a valid Python Literal['yes', 'no'])"))
    }

    @Test func incompleteDemoGetsPrefixAndPlaceholder() throws {
        let sig = try Signature("context, question -> answer, confidence: float")
        let demo = Example(["question": "Q1", "answer": "A1"])
        let messages = ChatAdapter().format(signature: sig, demos: [demo], inputs: ["context": "c", "question": "q"])
        #expect(messages.count == 4)
        #expect(
            messages[1].content == "This is an example of the task, though some input or output fields are not supplied.\n\n[[ ## question ## ]]\nQ1")
        #expect(
            messages[2].content
                == "[[ ## answer ## ]]\nA1\n\n[[ ## confidence ## ]]\nNot supplied for this particular example.\n\n[[ ## completed ## ]]\n")
    }

    @Test func demosWithOnlyInputsAreDropped() throws {
        let messages = ChatAdapter().format(
            signature: try Signature("question -> answer"), demos: [Example(["question": "only input"])],
            inputs: ["question": "q"])
        #expect(messages.count == 2)
    }

    @Test func listValueForStringInputBecomesNumberedBlobs() {
        #expect(ChatAdapter.formatFieldValue(["alpha", "beta"], type: .string) == "[1] «alpha»\n[2] «beta»")
        #expect(ChatAdapter.formatFieldValue(["only"], type: .string) == "«only»")
        #expect(ChatAdapter.formatFieldValue([], type: .string) == "N/A")
        #expect(ChatAdapter.formatFieldValue(["two\nlines"], type: .string) == "«««\n    two\n    lines\n»»»")
        #expect(ChatAdapter.formatFieldValue(["A1", "A2"], type: .list(.string)) == "[\"A1\", \"A2\"]")
        #expect(ChatAdapter.formatFieldValue(["a": 1], type: nil) == "{\"a\": 1}")
        #expect(ChatAdapter.formatFieldValue(true, type: .bool) == "True")
        #expect(ChatAdapter.formatFieldValue(0.5, type: .float) == "0.5")
        #expect(ChatAdapter.formatFieldValue(nil, type: nil) == "None")
    }

    @Test func literalTypeNamesQuoteLikePython() throws {
        let sig = try Signature(#"q -> a: Literal["she's here", 'okay', 'test']"#)
        #expect(sig.outputFields[0].type.pythonName == #"Literal["she's here", 'okay', 'test']"#)
    }

    @Test func emptySignatureSideAndEmptyInputs() throws {
        let sig = try Signature("-> b")
        #expect(sig.instructions == "Given the fields , produce the fields `b`.")
        let messages = ChatAdapter().format(signature: sig, demos: [], inputs: [:])
        #expect(
            messages.last?.content
                == "Respond with the corresponding output fields, starting with the field `[[ ## b ## ]]`, and then ending with the marker for `[[ ## completed ## ]]`."
        )
    }
}

@Suite struct ChatAdapterParseTests {
    @Test func parsesCapturedReplies() throws {
        let a = try ChatAdapter().parse(signature: try Signature("question -> answer"), completion: DSPyCapturedPrompts.predictReply)
        #expect(a["answer"] == "Mock answer hotel-zulu (8841d4ad) for: What is the capital of France?")
        let t = try ChatAdapter().parse(signature: classifySignature, completion: DSPyCapturedPrompts.typedClassifyReply)
        #expect(t["sentiment"] == "negative")
        #expect(t["confidence"] == .double(0.57))
        #expect(t["keywords"] == ["hotel", "sierra"])
        #expect(Array(t.keys) == ["sentiment", "confidence", "keywords"])
    }

    @Test func textAfterHeaderAndFirstOccurrenceWins() throws {
        let sig = try Signature("q -> answer")
        let r = try ChatAdapter().parse(signature: sig, completion: "preamble\n[[ ## answer ## ]] 4\nmore\n[[ ## answer ## ]]\nsecond")
        #expect(r["answer"] == "4\nmore")
    }

    @Test func unknownHeadersAreIgnored() throws {
        let sig = try ChainOfThought("question -> answer").signature
        let r = try ChatAdapter().parse(signature: sig, completion: "[[ ## reasoning ## ]]\nthink\n[[ ## answer ## ]]\nParis\n[[ ## completion ## ]]")
        #expect(r["answer"] == "Paris")
        #expect(r["reasoning"] == "think")
    }

    @Test(arguments: [
        ("int", "42", Value.int(42)), ("int", " 7 ", .int(7)), ("int", "3.0", .int(3)),
        ("float", "0.25", .double(0.25)), ("float", "2", .double(2)),
        ("bool", "True", .bool(true)), ("bool", "yes", .bool(true)), ("bool", "false", .bool(false)),
        ("list[int]", "[1, 2]", .array([1, 2])), ("list[int]", "1,2", .array([1, 2])),
        ("dict[str, int]", "{'x': 1}", .object(["x": 1])), ("list[str]", "['a', \"b\"]", .array(["a", "b"])),
        ("Literal['yes', 'no']", " 'no' ", .string("no")), ("Literal['yes', 'no']", "Literal['yes']", .string("yes")),
        ("Optional[int]", "None", .null), ("str", "  kept as is", .string("kept as is")),
    ])
    func coercesTypedValues(type: String, raw: String, expected: Value) throws {
        let sig = try Signature("q -> v: \(type)")
        let r = try ChatAdapter().parse(signature: sig, completion: "[[ ## v ## ]]\n\(raw)")
        #expect(r["v"] == expected)
    }

    @Test func mismatchedReplyRaisesParseErrorWithRawText() throws {
        let sig = try Signature("question -> answer")
        do {
            _ = try ChatAdapter().parse(signature: sig, completion: "{'output':'mismatched value'}")
            Issue.record("expected a parse error")
        } catch let e as AdapterParseError {
            #expect(e.description.contains("Adapter ChatAdapter failed to parse"))
            #expect(e.lmResponse == "{'output':'mismatched value'}")
            #expect(e.description.contains("Expected to find output fields in the LM response: [answer]"))
        }
    }

    @Test func badTypedValueNamesTheField() throws {
        let sig = try Signature("q -> n: int")
        #expect {
            try ChatAdapter().parse(signature: sig, completion: "[[ ## n ## ]]\nmany")
        } throws: { e in
            "\(e)".hasPrefix("Failed to parse field n with value many from the LM response. Error message:")
        }
    }

    @Test func missingOptionalOutputsFallBackToDefaults() throws {
        let sig = try Signature(
            inputs: [.input("q")],
            outputs: [
                .output("answer"), .output("note", default: "No note"), .output("tags", .list(.string), default: []),
                .output("maybe", .optional(.string)),
            ])
        let r = try ChatAdapter().parse(signature: sig, completion: "[[ ## answer ## ]]\nA")
        #expect(r == ["answer": "A", "note": "No note", "tags": [], "maybe": nil])
    }

    @Test func missingRequiredOutputRaises() throws {
        let sig = try Signature("q -> answer, other")
        #expect(throws: AdapterParseError.self) { try ChatAdapter().parse(signature: sig, completion: "[[ ## answer ## ]]\nA") }
    }
}

@Suite struct ChatAdapterSectionTests {
    /// DSPy's reading, line by line: sections start at header lines; each field takes its first
    /// section, the rest of the header line and the lines after it joined (without a line's
    /// trailing \r) and stripped.
    private func reference(_ completion: String, fields: [String]) -> [String: String] {
        var sections: [(String?, [String])] = [(nil, [])]
        for bytes in completion.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            let line = Substring(bytes)
            if let (header, rest) = ChatAdapter.matchHeader(line) {
                sections.append((header, rest.isEmpty ? [] : [rest]))
            } else {
                sections[sections.count - 1].1.append(String(line.hasSuffix("\r") ? line.dropLast() : line))
            }
        }
        var found: [String: String] = [:]
        for (header, lines) in sections {
            guard let header, found[header] == nil, fields.contains(header) else { continue }
            found[header] = lines.joined(separator: "\n").trimmingWhitespace()
        }
        return found
    }

    @Test func sectionsAreReadAsDSPyReadsThemLineByLine() throws {
        let signature = try Signature("question -> reasoning, answer")
        let pool = [
            "[[ ## answer ## ]]", "[[ ## answer ## ]] inline answer", "[[ ## reasoning ## ]]\r", "[[ ## other ## ]]", "[[ ## completed ## ]]",
            "  [[ ## reasoning ## ]]  indented", "plain text", "", "  ", "text with CR\r", "a\rb", "\r", "\r\r", "é 日本 🧪", "[[ ## answer ##",
        ]
        var rng = SystemRandomNumberGenerator()
        var compared = 0
        for _ in 0..<2_000 {
            let lines = (0..<Int.random(in: 0...12, using: &rng)).map { _ in pool.randomElement(using: &rng) ?? "" }
            let completion = lines.joined(separator: Bool.random(using: &rng) ? "\n" : "\r\n")
            let expected = reference(completion, fields: ["reasoning", "answer"])
            do {
                let parsed = try ChatAdapter().parse(signature: signature, completion: completion)
                #expect(
                    Dictionary(uniqueKeysWithValues: parsed.map { ($0.key, $0.value.stringValue ?? "") }) == expected,
                    "\(completion.debugDescription)")
                compared += 1
            } catch is AdapterParseError {
                #expect(expected.count < 2, "\(completion.debugDescription)")
            }
        }
        #expect(compared > 200)
    }
}

@Suite struct AdapterFallbackTests {
    @Test func fallsBackToJSONAdapterOnlyOnParseError() async throws {
        let backend = DummyBackend(answers: [.raw("{'answer': 'Paris'}"), .raw("{'answer': 'Paris'}")])
        let lm = LM(model: "dummy", backend: backend)
        let p = try await Predict("question -> answer", lm: lm)(question: "Capital of France?")
        #expect(p.answer == "Paris")
        #expect(backend.calls == 2)
        #expect(lm.history.last?.messages.last?.content.contains("Respond with a JSON object") == true)
    }

    @Test func fallbackCanBeTurnedOff() async throws {
        let backend = DummyBackend(answers: [.raw("nonsense")])
        let lm = LM(model: "dummy", backend: backend)
        await #expect(throws: AdapterParseError.self) {
            try await Settings.shared.context(["adapter": ChatAdapter(useJSONAdapterFallback: false)]) {
                try await Predict("question -> answer", lm: lm)(question: "q")
            }
        }
        #expect(backend.calls == 1)
    }

    @Test func lmErrorsDoNotTriggerFallback() async throws {
        let backend = DummyBackend(answers: [.error(LMError(.authentication, "bad key"))])
        let lm = LM(model: "dummy", backend: backend, numRetries: 0)
        await #expect(throws: LMError.self) { try await Predict("question -> answer", lm: lm)(question: "q") }
        #expect(backend.calls == 1)
    }

    @Test func emptyReplyIsAParseError() async throws {
        let lm = LM(model: "dummy", backend: DummyBackend(answers: [.raw(""), .raw("   ")]))
        await #expect {
            try await Predict("question -> answer", lm: lm)(question: "q")
        } throws: { e in
            "\(e)".contains("The LM returned an empty or null response.")
        }
    }
}

@Suite struct JSONAdapterTests {
    @Test func formatsJSONStructure() throws {
        let sig = try Signature("question -> answer, confidence: float")
        let messages = JSONAdapter().format(
            signature: sig, demos: [Example(["question": "Q", "answer": "A1", "confidence": 0.9])],
            inputs: ["question": "What?"])
        #expect(
            messages[0].content.contains(
                """
                All interactions will be structured in the following way, with the appropriate values filled in.

                Inputs will have the following structure:

                [[ ## question ## ]]
                {question}

                Outputs will be a JSON object with the following fields.

                {
                  "answer": "{answer}",
                  "confidence": "{confidence}        # note: the value you produce must be a single float value"
                }
                In adhering to this structure, your objective is: \n        Given the fields `question`, produce the fields `answer`, `confidence`.
                """))
        #expect(messages[2].content == "{\n  \"answer\": \"A1\",\n  \"confidence\": 0.9\n}")
        #expect(
            messages[3].content
                == "[[ ## question ## ]]\nWhat?\n\nRespond with a JSON object in the following order of fields: `answer`, then `confidence` (must be formatted as a valid Python float)."
        )
    }

    @Test func mismatchedFieldsGiveDSPysExactMessage() throws {
        let sig = try Signature("question -> answer")
        do {
            _ = try JSONAdapter().parse(signature: sig, completion: "{'answer1': 'Paris'}")
            Issue.record("expected a parse error")
        } catch let e as AdapterParseError {
            #expect(
                e.description
                    == "Adapter JSONAdapter failed to parse the LM response. \n\nLM Response: {'answer1': 'Paris'} \n\nExpected to find output fields in the LM response: [answer] \n\nActual output fields parsed from the LM response: [] \n\n"
            )
        }
    }

    @Test func toleratesFencesAndProse() throws {
        let sig = try Signature("q -> answer, n: int")
        let r = try JSONAdapter().parse(signature: sig, completion: "Sure! ```json\n{\"answer\": \"Paris\", \"n\": \"3\"}\n``` done")
        #expect(r == ["answer": "Paris", "n": 3])
    }

    @Test func nonObjectReplyIsAParseError() throws {
        #expect {
            try JSONAdapter().parse(signature: try Signature("q -> a"), completion: "no json here")
        } throws: { e in
            "\(e)".hasPrefix("LM response cannot be serialized to a JSON object.")
        }
    }
}
