import OrderedCollections
import Synchronization
import Testing
@testable import DSPy

/// A backend that records every request and answers with fixed text (or the dummy's fill).
final class RecordingBackend: LMBackend {
    let requests = Locked<[LMRequest]>([])
    let reply: @Sendable (LMRequest) -> String

    init(reply: @escaping @Sendable (LMRequest) -> String) { self.reply = reply }

    func complete(_ request: LMRequest, timeout: Duration) async throws -> LMResponse {
        requests.withLock { $0.append(request) }
        let text = reply(request)
        return LMResponse(
            choices: Array(repeating: LMChoice(text: text, finishReason: "stop"), count: request.n),
            usage: TokenUsage(promptTokens: 10, completionTokens: 5), model: "rec")
    }
    var seen: [LMRequest] { requests.withLock { $0 } }
}

/// Records callback events as short strings.
final class EventLog: Callback {
    let events = Locked<[String]>([])
    let ids = Locked<[(CallInfo, String)]>([])
    func add(_ s: String, _ c: CallInfo) { events.withLock { $0.append(s) }; ids.withLock { $0.append((c, s)) } }
    func onModuleStart(_ call: CallInfo, module: any Module, inputs: Inputs) { add("module_start(\(type(of: module)))", call) }
    func onModuleEnd(_ call: CallInfo, outputs: Prediction?, error: (any Error)?) { add("module_end" + (error == nil ? "" : "!"), call) }
    func onLMStart(_ call: CallInfo, lm: LM, messages: [Message], parameters: OrderedDictionary<String, Value>) { add("lm_start", call) }
    func onLMEnd(_ call: CallInfo, outputs: [String]?, error: (any Error)?) { add("lm_end", call) }
    func onAdapterFormatStart(_ call: CallInfo, adapter: any Adapter, signature: Signature, demos: [Example], inputs: Inputs) {
        add("format_start", call)
    }
    func onAdapterFormatEnd(_ call: CallInfo, messages: [Message]?, error: (any Error)?) { add("format_end", call) }
    func onAdapterParseStart(_ call: CallInfo, adapter: any Adapter, signature: Signature, completion: String) { add("parse_start", call) }
    func onAdapterParseEnd(_ call: CallInfo, outputs: Inputs?, error: (any Error)?) { add("parse_end", call) }
    var list: [String] { events.withLock { $0 } }
}

/// A struct program with a record of its own, so it keeps history like a library module.
struct QAProgram: Module {
    let cot: ChainOfThought
    let record = ModuleRecord()
    init() throws { cot = try ChainOfThought("question -> answer") }
    func forward(_ inputs: Inputs) async throws -> Prediction { try await cot.call(inputs) }
}

@Suite struct PredictTests {
    @Test func dummyFillsEveryTypedField() async throws {
        let lm = try LM("dummy")
        let qa = try Predict("question, k: int -> answer, score: float, tags: list[str], ok: bool, v: Literal['x', 'y']", lm: lm)
        let p = try await qa(question: "What is 2+2?", k: 1)
        #expect(p.answer == "dummy answer for: What is 2+2?")
        #expect(p.score == .double(0) && p.tags == [] && p.ok == true && p.v == "x")
        #expect(p.description.hasPrefix("Prediction(\n    answer='dummy answer for: What is 2+2?',\n    score=0.0,"))
    }

    @Test func dummyWorksThroughJSONAdapter() async throws {
        let p = try await Settings.shared.context(["adapter": JSONAdapter()]) {
            try await Predict("question -> answer, n: int", lm: try LM("dummy"))(question: "q")
        }
        #expect(p.answer == "dummy answer for: q" && p.n == 0)
    }

    @Test func scriptedAnswersReplayInOrder() async throws {
        let lm = LM.dummy(answers: [["answer": "first"], ["answer": "second"]])
        let qa = try Predict("question -> answer", lm: lm)
        #expect(try await qa(question: "a").answer == "first")
        #expect(try await qa(question: "b").answer == "second")
        #expect(try await qa(question: "c").answer == "No more responses")
    }

    @Test func multipleCompletionsRaiseLowTemperature() async throws {
        let backend = RecordingBackend { _ in "[[ ## answer ## ]]\nsame" }
        let lm = LM(model: "rec", backend: backend, temperature: 0.0)
        let p = try await Predict("question -> answer", lm: lm, n: 3)(question: "q")
        #expect(p.completions.count == 3)
        #expect(p.completions.answer == ["same", "same", "same"])
        // As DSPy 3.4.1: n requests of one completion each, none carrying `n`.
        #expect(backend.seen.count == 3)
        #expect(backend.seen.allSatisfy { $0.parameters["temperature"] == .double(0.7) && $0.parameters["n"] == nil })
        #expect(p.description.hasSuffix("(2 completions omitted)"))
    }

    @Test func lmResolutionOrderAndErrors() async throws {
        let own = LM.dummy(answers: [["answer": "own"]])
        let call = LM.dummy(answers: [["answer": "call"]])
        let scoped = LM.dummy(answers: [["answer": "scoped"]])
        let qa = try Predict("question -> answer")
        await #expect {
            try await qa(question: "q")
        } throws: { e in
            "\(e)".hasPrefix("No LM is loaded.")
        }
        await #expect {
            try await Settings.shared.context(["lm": "openai/gpt-4o-mini"]) { try await qa(question: "q") }
        } throws: { e in
            "\(e)" == "lm must be an LM, such as LM(\"openai/gpt-4o-mini\"), got \"openai/gpt-4o-mini\""
        }
        #expect(try await Settings.shared.context(["lm": scoped]) { try await qa(question: "q") }.answer == "scoped")
        qa.lm = own
        #expect(try await Settings.shared.context(["lm": scoped]) { try await qa(question: "q") }.answer == "own")
        #expect(try await qa.call(["question": "q"], lm: call).answer == "call")
    }

    @Test func positionalArgumentsAreRejected() async throws {
        let qa = try Predict("question, context -> answer", lm: try LM("dummy"))
        await #expect {
            try await qa("What?")
        } throws: { e in
            "\(e)"
                == "Positional arguments are not allowed when calling `Predict`, must use keyword arguments that match your signature input fields: 'question, context'. For example: `predict(question=input_value, ...)`."
        }
    }

    @Test func inputDefaultsAreFilled() async throws {
        let backend = RecordingBackend { _ in "[[ ## answer ## ]]\nok" }
        let sig = try Signature(inputs: [.input("question"), .input("context", default: "DEFAULT_CONTEXT")], outputs: [.output("answer")])
        _ = try await Predict(sig, lm: LM(model: "rec", backend: backend))(question: "q")
        #expect(backend.seen[0].messages.last?.content.contains("[[ ## context ## ]]\nDEFAULT_CONTEXT") == true)
    }

    @Test func demosAndPerCallDemos() async throws {
        let backend = RecordingBackend { _ in "[[ ## answer ## ]]\nok" }
        let qa = try Predict("question -> answer", lm: LM(model: "rec", backend: backend), demos: [Example(["question": "1+1", "answer": "2"])])
        _ = try await qa(question: "2+2")
        _ = try await qa.call(["question": "3+3"], demos: [])
        #expect(backend.seen[0].messages.count == 4)
        #expect(backend.seen[1].messages.count == 2)
    }

    @Test func traceIsBoundedAndCanBeDisabled() async throws {
        let trace = Trace()
        let qa = try Predict("question -> answer", lm: try LM("dummy"))
        try await Settings.shared.context(["trace": trace, "max_trace_size": 3]) {
            for i in 0..<10 { _ = try await qa(question: "q\(i)") }
        }
        #expect(trace.count == 3)
        #expect(trace.entries.last?.inputs["question"] == "q9")
        try await Settings.shared.context(["trace": NoneSetting()]) { _ = try await qa(question: "x") }
        #expect(trace.count == 3)
    }
}

@Suite struct HistoryAndCallbackTests {
    @Test func callIDsAreUniqueHexEvenWhenMadeConcurrently() async {
        let ids = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 { group.addTask { (0..<2_000).map { _ in CallID.make() } } }
            return await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(Set(ids).count == 16_000)
        #expect(ids.allSatisfy { $0.utf8.count == 32 && $0.allSatisfy { "0123456789abcdef".contains($0) } })
    }

    @Test func historyReachesEveryModuleOnTheStack() async throws {
        let lm = LM(model: "rec", backend: RecordingBackend { _ in "[[ ## reasoning ## ]]\nr\n[[ ## answer ## ]]\na" })
        let program = try QAProgram()
        try await Settings.shared.context(["lm": lm]) {
            _ = try await program(question: "q1")
            _ = try await program.cot(question: "q2")
        }
        #expect(program.history.count == 1)
        #expect(program.cot.history.count == 2)
        #expect(program.cot.predict.history.count == 2)
        #expect(lm.history.count == 2)
        #expect(program.history[0].uuid == lm.history[0].uuid)
        try await Settings.shared.context(["lm": lm, "disable_history": true]) { _ = try await program(question: "q3") }
        #expect(program.history.count == 1 && lm.history.count == 2)
        #expect(program.namedPredictors.map(\.name) == ["cot.predict"])
    }

    @Test func historyIsBounded() async throws {
        let lm = try LM("dummy")
        let qa = try Predict("question -> answer", lm: lm)
        try await Settings.shared.context(["max_history_size": 5]) {
            for i in 0..<10 { _ = try await qa(question: "q\(i)") }
        }
        #expect(qa.history.count == 5 && lm.history.count == 5)
        #expect(lm.history.last?.messages.last?.content.contains("q9") == true)
    }

    @Test func inspectHistoryPrintsLikeDSPy() async throws {
        let lm = LM.dummy(answers: [["answer": "4"]])
        _ = try await Predict("question -> answer", lm: lm)(question: "What is 2+2?")
        let text = lm.inspectHistory(n: 1)
        let ts = lm.history[0].isoTimestamp
        let system = DSPyCapturedPrompts.predict[0].content.replacingOccurrences(of: "question`, produce", with: "question`, produce")
        #expect(
            text
                == "\n\n\n\n[\(ts)]\n\nSystem message:\n\n\(system)\n\n\nUser message:\n\n[[ ## question ## ]]\nWhat is 2+2?\n\nRespond with the corresponding output fields, starting with the field `[[ ## answer ## ]]`, and then ending with the marker for `[[ ## completed ## ]]`.\n\n\nResponse:\n\n[[ ## answer ## ]]\n4\n\n[[ ## completed ## ]]\n\n\n\n\n\n"
        )
        #expect(lm.inspectHistory(n: 1, color: true).contains("\u{1B}[34m[\(ts)]\u{1B}[0m"))
    }

    @Test func callbackOrderForChainOfThoughtWithThreeCompletions() async throws {
        let log = EventLog()
        let lm = LM(model: "rec", backend: RecordingBackend { _ in "[[ ## reasoning ## ]]\nr\n[[ ## answer ## ]]\na" })
        let cot = try ChainOfThought("question -> answer", n: 3)
        _ = try await Settings.shared.context(["lm": lm, "callbacks": [log] as [any Callback]]) { try await cot(question: "q") }
        #expect(
            log.list == [
                "module_start(ChainOfThought)", "module_start(Predict)", "format_start", "format_end", "lm_start", "lm_end",
                "parse_start", "parse_end", "parse_start", "parse_end", "parse_start", "parse_end", "module_end", "module_end",
            ])
        let ids = log.ids.withLock { $0 }
        #expect(ids[0].0.parentID == nil)
        #expect(ids[1].0.parentID == ids[0].0.id)  // Predict's parent is ChainOfThought
        #expect(ids[4].0.parentID == ids[1].0.id)  // the LM call's parent is Predict
    }

    @Test func moduleEndSeesTheError() async throws {
        let log = EventLog()
        let qa = try Predict("question -> answer", callbacks: [log])
        await #expect(throws: ModuleError.self) { try await qa(question: "q") }
        #expect(log.list == ["module_start(Predict)", "module_end!"])
        #expect(CallLineage.activeCallID == nil)
    }
}

@Suite struct UsageTests {
    @Test func predictionsCarryUsagePerModel() async throws {
        let lm = LM(model: "rec", backend: RecordingBackend { _ in "[[ ## reasoning ## ]]\nr\n[[ ## answer ## ]]\na" })
        let program = try QAProgram()
        let p = try await Settings.shared.context(["lm": lm, "track_usage": true]) { try await program(question: "q") }
        #expect(p.lmUsage?["rec"] == TokenUsage(promptTokens: 10, completionTokens: 5))
        let off = try await Settings.shared.context(["lm": lm]) { try await program(question: "q") }
        #expect(off.lmUsage == nil)
    }

    @Test func nestedTrackersRollUp() async throws {
        let lm = LM(model: "rec", backend: RecordingBackend { _ in "[[ ## answer ## ]]\na" })
        let qa = try Predict("question -> answer", lm: lm)
        let (inner, tracker) = try await trackUsage {
            try await Settings.shared.context(["track_usage": true]) {
                _ = try await qa(question: "1")
                return try await qa(question: "2")
            }
        }
        #expect(inner.lmUsage?["rec"]?.totalTokens == 15)
        #expect(tracker.totals["rec"] == TokenUsage(promptTokens: 20, completionTokens: 10))
    }

    @Test func concurrentCallsEachReportTheirOwnUsage() async throws {
        let lm = LM(model: "rec", backend: RecordingBackend { _ in "[[ ## answer ## ]]\na" })
        let qa = try Predict("question -> answer", lm: lm)
        let usages = try await Settings.shared.context(["track_usage": true]) {
            try await withThrowingTaskGroup(of: Int?.self) { g in
                for i in 0..<4 { g.addTask { try await qa(question: "\(i)").lmUsage?["rec"]?.totalTokens } }
                return try await g.reduce(into: [Int?]()) { $0.append($1) }
            }
        }
        #expect(usages == [15, 15, 15, 15])
    }

    @Test func cacheHitsCostNothing() async throws {
        let backend = RecordingBackend { _ in "[[ ## answer ## ]]\na" }
        let lm = LM(model: "rec-cache-\(CallID.make())", backend: backend, cache: true)
        let qa = try Predict("question -> answer", lm: lm)
        let (_, tracker) = try await trackUsage {
            _ = try await qa(question: "same")
            _ = try await qa(question: "same")
        }
        #expect(backend.seen.count == 1)
        #expect(tracker.totals.values.first?.totalTokens == 15)
        #expect(lm.history.count == 2 && lm.history[1].usage == nil && lm.history[1].response.cacheHit)
    }
}

@Suite struct ExampleTests {
    @Test func inputsAndLabels() throws {
        let e = Example(["question": "q", "answer": "a"])
        #expect(throws: ExampleError.self) { try e.inputs() }
        let marked = e.withInputs("question")
        #expect(try marked.inputs().values == ["question": "q"])
        #expect(try marked.labels().values == ["answer": "a"])
        #expect(marked.question == "q")
        #expect(marked.description == "Example({'question': 'q', 'answer': 'a'}) (input_keys={'question'})")
    }
}

@Suite struct BoundedBufferTests {
    @Test func historyKeepsTheNewestEntriesInOrder() {
        var h = BoundedHistory()
        let response = LMResponse(choices: [LMChoice(text: "x")])
        for i in 0..<25 {
            h.append(RecordedCall(HistoryEntry(model: "m\(i)", messages: [], kwargs: [:], response: response, usage: nil)), limit: 10)
        }
        #expect(h.entries.count == 10)
        #expect(h.entries.map(\.model) == (15..<25).map { "m\($0)" })
    }

    @Test func traceKeepsTheNewestEntries() throws {
        let trace = Trace()
        let p = try Predict("q -> a")
        for i in 0..<30 { trace.append(TraceEntry(predictor: p, inputs: ["q": .int(i)], prediction: Prediction()), limit: 7) }
        #expect(trace.count == 7)
        #expect(trace.entries.map { $0.inputs["q"] } == (23..<30).map { .int($0) })
    }
}
