import OrderedCollections
import Testing
@testable import DSPy

// Typed signatures (`@Signature`): the same Signature, prompt and parsing as the string form,
// with Swift types at the front door.

@Signature("Answer questions with short factoid answers.")
struct FactoidQA {
    @Input(desc: "a trivia question") var question: String
    @Output(desc: "often between 1 and 5 words") var answer: String
    @Output var confidence: Double
}

/// Classify the sentiment of a sentence.
///
/// Be strict about neutral.
@Signature
struct SentimentSig {
    @Input var sentence: String
    @Input var context: String?
    @Output var sentiment: Mood
    @Output var score: Int?
}

enum Mood: String, CaseIterable, SignatureValue {
    case positive, negative, neutral
}

@Signature
struct Extraction {
    @Input var text: String
    @Input var hints: [String] = []
    @Output var count: Int
    @Output var ratio: Double
    @Output var ok: Bool
    @Output var tags: [String]
    @Output var note: String?
    @Output var scores: [String: Int]
    @Output var rank: Int?
}

@Signature
public struct PublicSig {
    @Input public var `class`: String
    @Output(desc: "the reply") public var reply: String = "none"
}

/// Answers with fixed text and records each request.
private final class ReplyBackend: LMBackend {
    let requests = Locked<[LMRequest]>([])
    let text: String
    init(_ text: String) { self.text = text }
    func complete(_ request: LMRequest, timeout: Duration) async throws -> LMResponse {
        requests.withLock { $0.append(request) }
        return LMResponse(
            choices: Array(repeating: LMChoice(text: text, finishReason: "stop"), count: request.n),
            usage: TokenUsage(promptTokens: 10, completionTokens: 5), model: "reply")
    }
    var messages: [[Message]] { requests.withLock { $0.map(\.messages) } }
}

/// Parses nothing: every output is the reply's whole text, so the typed layer decodes strings.
private struct RawTextAdapter: Adapter {
    var name: String { "RawTextAdapter" }
    func format(signature: Signature, demos: [Example], inputs: Inputs) -> [Message] {
        ChatAdapter().format(signature: signature, demos: demos, inputs: inputs)
    }
    func parse(signature: Signature, completion: String) throws -> Inputs {
        var out = Inputs()
        for f in signature.outputFields { out[f.name] = .string(completion) }
        return out
    }
}

/// A program holding typed predictors, found by the module walk like the plain ones.
struct TypedProgram: Module {
    let qa = TypedPredict(FactoidQA.self)
    let cot: TypedChainOfThought<FactoidQA>
    init() throws { cot = try TypedChainOfThought(FactoidQA.self) }
    func forward(_ inputs: Inputs) async throws -> Prediction { try await qa.module.call(inputs) }
}

@Suite struct TypedSignatureTests {
    @Test func typedPredictorsAreFoundByTheProgramWalk() throws {
        let program = try TypedProgram()
        #expect(program.namedPredictors.map(\.name) == ["qa", "cot.predict"])
        let lm = try LM("dummy")
        program.setLM(lm)
        #expect(program.qa.module.lm === lm && program.cot.module.predict.lm === lm)
    }

    static let factoidReply = "[[ ## answer ## ]]\nFrank Herbert\n\n[[ ## confidence ## ]]\n0.9\n\n[[ ## completed ## ]]"

    @Test func signatureEqualsTheStringForm() throws {
        let stringForm = try Signature(
            "question: str -> answer: str, confidence: float",
            instructions: "Answer questions with short factoid answers."
        )
        .withUpdatedField("question", description: "a trivia question")
        .withUpdatedField("answer", description: "often between 1 and 5 words")
        #expect(FactoidQA.signature == stringForm)
        #expect(FactoidQA.signature.fields.map(\.type.pythonName) == ["str", "str", "float"])
    }

    @Test func typedPromptIsByteIdenticalToTheStringForm() async throws {
        let typedBackend = ReplyBackend(Self.factoidReply)
        let stringBackend = ReplyBackend(Self.factoidReply)
        let typed = TypedPredict(FactoidQA.self, lm: LM(model: "m", backend: typedBackend))
        let stringForm = try Predict(
            "question: str -> answer: str, confidence: float",
            instructions: "Answer questions with short factoid answers.",
            lm: LM(model: "m", backend: stringBackend))
        stringForm.signature = try stringForm.signature
            .withUpdatedField("question", description: "a trivia question")
            .withUpdatedField("answer", description: "often between 1 and 5 words")

        let out = try await typed(.init(question: "Who wrote Dune?"))
        let dynamic = try await stringForm(question: "Who wrote Dune?")

        #expect(typedBackend.messages.count == 1)
        #expect(typedBackend.messages == stringBackend.messages)
        let system = try #require(typedBackend.messages.first?.first?.content)
        #expect(system.contains("1. `question` (str): a trivia question"))
        #expect(system.contains("2. `confidence` (float)"))
        #expect(system.hasSuffix("Answer questions with short factoid answers."))
        #expect(out.answer == "Frank Herbert" && out.confidence == 0.9)
        #expect(dynamic.answer == .string(out.answer) && dynamic.confidence == .double(out.confidence))
        // The typed call is the wrapped Predict's call: its history holds it.
        #expect(typed.module.history.count == 1)
    }

    @Test func docCommentIsTheInstructionsAndEnumsAreLiterals() throws {
        let stringForm = try Signature(
            "sentence: str, context: Optional[str] -> sentiment: Literal['positive', 'negative', 'neutral'], score: Optional[int]",
            instructions: "Classify the sentiment of a sentence.\n\nBe strict about neutral.")
        #expect(SentimentSig.signature == stringForm)
    }

    @Test func noInstructionsGiveDSPysDefaultSentence() throws {
        #expect(
            Extraction.signature.instructions
                == "Given the fields `text`, `hints`, produce the fields `count`, `ratio`, `ok`, `tags`, `note`, `scores`, `rank`.")
        #expect(
            Extraction.signature.fields.map(\.type.pythonName) == [
                "str", "list[str]", "int", "float", "bool", "list[str]", "Union[str, NoneType]", "dict[str, int]", "Union[int, NoneType]",
            ])
    }

    @Test func inputBecomesInputsInDeclarationOrder() {
        let qa = FactoidQA.Input(question: "q?")
        #expect(qa.dspyInputs == ["question": "q?"])
        // A nil optional is an input not given; a given one is its value.
        #expect(SentimentSig.Input(sentence: "s").dspyInputs == ["sentence": "s"])
        #expect(Array(SentimentSig.Input(sentence: "s", context: "c").dspyInputs.keys) == ["sentence", "context"])
        #expect(Extraction.Input(text: "t", hints: ["a", "b"]).dspyInputs == ["text": "t", "hints": ["a", "b"]])
        // Defaults from the declaration; backticked names lose their backticks.
        #expect(Extraction.Input(text: "t").dspyInputs == ["text": "t", "hints": []])
        #expect(PublicSig.Input(class: "c").dspyInputs == ["class": "c"])
        #expect(PublicSig.signature.outputFields.first?.defaultValue == "none")
    }

    @Test func outputsDecodeIntoTheirDeclaredTypes() async throws {
        let reply = """
            [[ ## count ## ]]
            42

            [[ ## ratio ## ]]
            0.5

            [[ ## ok ## ]]
            True

            [[ ## tags ## ]]
            ["a", "b"]

            [[ ## scores ## ]]
            {"x": 1, "y": 2}

            [[ ## rank ## ]]
            3

            [[ ## completed ## ]]
            """
        let backend = ReplyBackend(reply)
        let out = try await TypedPredict(Extraction.self, lm: LM(model: "m", backend: backend))(.init(text: "t"))
        #expect(out.count == 42)
        #expect(out.ratio == 0.5)
        #expect(out.ok == true)
        #expect(out.tags == ["a", "b"])
        #expect(out.note == nil)  // left out by the LM: Optional fields become nil
        #expect(out.scores == ["x": 1, "y": 2])
        #expect(out.rank == 3)
    }

    @Test func stringValuesAreParsedWithDSPysRules() throws {
        let p = Prediction([
            "count": "42", "ratio": "3", "ok": "yes", "tags": "['a', 'b']", "note": "None", "scores": "{'x': 1}", "rank": "None",
        ])
        let out = try Extraction.Output(p)
        #expect(out.count == 42 && out.ratio == 3.0 && out.ok == true)
        #expect(out.tags == ["a", "b"])
        #expect(out.note == "None")  // Optional[str] keeps the text, as DSPy does
        #expect(out.scores == ["x": 1])
        #expect(out.rank == nil)
        // The same text through the string-form parser gives the same values.
        let parsed = try ChatAdapter().parse(
            signature: Extraction.signature,
            completion: """
                [[ ## count ## ]]
                42
                [[ ## ratio ## ]]
                3
                [[ ## ok ## ]]
                yes
                [[ ## tags ## ]]
                ['a', 'b']
                [[ ## note ## ]]
                None
                [[ ## scores ## ]]
                {'x': 1}
                [[ ## rank ## ]]
                None
                """)
        let fromAdapter = try Extraction.Output(Prediction(parsed))
        #expect(fromAdapter.count == out.count && fromAdapter.ratio == out.ratio && fromAdapter.ok == out.ok)
        #expect(fromAdapter.tags == out.tags && fromAdapter.note == out.note && fromAdapter.scores == out.scores)
        #expect(fromAdapter.rank == out.rank)
    }

    @Test func literalEnumsDecodeAndRejectOtherWords() throws {
        let out = try SentimentSig.Output(Prediction(["sentiment": "'negative'", "score": 2]))
        #expect(out.sentiment == .negative && out.score == 2)
        #expect(
            throws: SignatureDecodingError(
                field: "sentiment", expectedType: "Literal['positive', 'negative', 'neutral']",
                swiftType: "Mood", rawText: "angry")
        ) {
            try SentimentSig.Output(Prediction(["sentiment": "angry"]))
        }
    }

    @Test func aFailedDecodeIsATypedErrorNamingFieldTypeAndText() throws {
        var values = Inputs()
        for (k, v) in ["count": "many", "ratio": "0.5", "ok": "true", "tags": "[]", "scores": "{}"] as [String: Value] { values[k] = v }
        do {
            _ = try Extraction.Output(Prediction(values))
            Issue.record("decoding 'many' as Int succeeded")
        } catch {
            #expect(error == SignatureDecodingError(field: "count", expectedType: "int", swiftType: "Int", rawText: "many"))
            #expect(error.description == "Output field 'count' cannot be decoded as int (Swift Int) from 'many'.")
        }
        // A required output the prediction lacks.
        #expect(throws: SignatureDecodingError(field: "answer", expectedType: "str", swiftType: "String", rawText: nil)) {
            try FactoidQA.Output(Prediction(["confidence": 1.0]))
        }
    }

    @Test func aFailedDecodeThroughAPredictorThrowsTheTypedError() async throws {
        let backend = ReplyBackend("about forty")
        let qa = TypedPredict(Extraction.self, lm: LM(model: "m", backend: backend))
        await #expect(throws: SignatureDecodingError(field: "count", expectedType: "int", swiftType: "Int", rawText: "about forty")) {
            try await Settings.shared.context(["adapter": RawTextAdapter()]) {
                try await qa(.init(text: "t"))
            }
        }
    }

    @Test func chainOfThoughtAddsReasoningAndKeepsThePrompt() async throws {
        let reply = "[[ ## reasoning ## ]]\nDune is by Herbert.\n\n" + Self.factoidReply
        let typedBackend = ReplyBackend(reply)
        let stringBackend = ReplyBackend(reply)
        let typed = try TypedChainOfThought(FactoidQA.self, lm: LM(model: "m", backend: typedBackend))
        let stringForm = try ChainOfThought(
            try Signature("question: str -> answer: str, confidence: float", instructions: "Answer questions with short factoid answers.")
                .withUpdatedField("question", description: "a trivia question")
                .withUpdatedField("answer", description: "often between 1 and 5 words"),
            lm: LM(model: "m", backend: stringBackend))

        let out = try await typed(.init(question: "Who wrote Dune?"))
        _ = try await stringForm(question: "Who wrote Dune?")

        #expect(out.reasoning == "Dune is by Herbert.")
        #expect(out.answer == "Frank Herbert" && out.confidence == 0.9)
        #expect(out.output.answer == out.answer)
        #expect(typedBackend.messages == stringBackend.messages)
        #expect(typed.module.signature.outputFields.map(\.name) == ["reasoning", "answer", "confidence"])
    }

    @Test func perCallOptionsReachThePredictor() async throws {
        let first = ReplyBackend(Self.factoidReply)
        let second = ReplyBackend(Self.factoidReply)
        let qa = TypedPredict(FactoidQA.self, lm: LM(model: "m", backend: first))
        let prediction = try await qa.prediction(.init(question: "q"), lm: LM(model: "m", backend: second), config: ["temperature": 0.3])
        #expect(first.messages.isEmpty && second.messages.count == 1)
        #expect(second.requests.withLock { $0.first?.parameters["temperature"] } == 0.3)
        #expect(try FactoidQA.Output(prediction).answer == "Frank Herbert")
    }

    @Test func dummyLMFillsTypedOutputs() async throws {
        let qa = TypedPredict(Extraction.self, lm: try LM("dummy"))
        let out = try await qa(.init(text: "t"))
        #expect(out.count == 0 && out.ratio == 0 && out.tags == [])
    }
}
