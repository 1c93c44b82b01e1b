import OrderedCollections
import Testing
@testable import DSPy

/// A struct module nested inside another one.
private struct Inner: Module {
    let qa: Predict
    func forward(_ inputs: Inputs) async throws -> Prediction { try await qa.call(inputs) }
}

/// A struct program whose predictors sit in plain, optional, array, dictionary and nested
/// struct properties; none of them is listed by hand.
private struct Ensemble: Module {
    let router: Predict
    let layers: [ChainOfThought]
    let experts: [String: Predict]
    let ordered: OrderedDictionary<String, Predict>
    let fallback: Predict?
    let absent: Predict?
    let inner: Inner
    let label = "not a module"

    init() throws {
        router = try Predict("question -> topic")
        layers = [try ChainOfThought("question -> draft"), try ChainOfThought("draft -> answer")]
        experts = ["math": try Predict("question -> answer"), "law": try Predict("question -> answer")]
        ordered = ["zeta": try Predict("question -> answer"), "alpha": try Predict("question -> answer")]
        fallback = try Predict("question -> answer")
        absent = nil
        inner = Inner(qa: try Predict("question -> answer"))
    }

    func forward(_ inputs: Inputs) async throws -> Prediction {
        _ = try await router.call(inputs)
        var draft = try await layers[0].call(inputs)
        for layer in layers.dropFirst() { draft = try await layer.call(draft.values) }
        if let expert = experts["math"] { _ = try await expert.call(inputs) }
        return draft
    }
}

/// A final class program with a record: it has history, callbacks and a compiled flag, and can
/// be copied for optimizers.
private final class Pipeline: Module {
    let steps: [Predict]
    let record: ModuleRecord

    init(steps: [Predict], callbacks: [any Callback] = []) {
        self.steps = steps
        record = ModuleRecord(callbacks: callbacks)
    }

    func forward(_ inputs: Inputs) async throws -> Prediction {
        var last = Prediction()
        for step in steps { last = try await step.call(inputs) }
        return last
    }

    func deepCopy() async throws -> any Module { Pipeline(steps: steps.map { $0.copy() }, callbacks: callbacks) }
}

/// A module whose sub-modules are given by hand, one of them itself (a cycle).
private final class Loop: Module {
    let qa: Predict
    init() throws { qa = try Predict("question -> answer") }
    var subModules: [(name: String, module: any Module)] { [("qa", qa), ("again", self), ("alias", qa)] }
    func forward(_ inputs: Inputs) async throws -> Prediction { try await qa.call(inputs) }
}

/// Reports the modules on the call stack.
private struct StackProbe: Module {
    func forward(_ inputs: Inputs) async throws -> Prediction {
        let names = Settings.current.callerModules.map { String(describing: type(of: $0)) }
        return Prediction(["stack": .array(names.map(Value.string))])
    }
}

private struct Outer: Module {
    let probe = StackProbe()
    func forward(_ inputs: Inputs) async throws -> Prediction { try await probe.call(inputs) }
}

@Suite struct ModuleProtocolTests {
    @Test func structSubModulesAreFoundInEveryKindOfProperty() throws {
        let program = try Ensemble()
        #expect(
            program.namedPredictors.map(\.name) == [
                "router", "layers[0].predict", "layers[1].predict", "experts['law']", "experts['math']",
                "ordered['zeta']", "ordered['alpha']", "fallback", "inner.qa",
            ])
        #expect(program.namedPredictors[1].predictor === program.layers[0].predict)
        #expect(
            program.subModules.map(\.name) == [
                "router", "layers[0]", "layers[1]", "experts['law']", "experts['math']", "ordered['zeta']", "ordered['alpha']", "fallback", "inner",
            ])
    }

    @Test func setLMReachesNestedPredictors() async throws {
        let program = try Ensemble()
        let lm = try LM("dummy")
        program.setLM(lm)
        #expect(program.namedPredictors.allSatisfy { $0.predictor.lm === lm })
        // No configured LM: the call works only because setLM reached every predictor it uses.
        let out = try await Settings().bind { try await program(question: "2+2?") }
        #expect(out.answer != nil)
        #expect(program.layers[1].predict.history.count == 1 && program.experts["math"]?.history.count == 1)
        program.setLM(nil)
        #expect(program.namedPredictors.allSatisfy { $0.predictor.lm == nil })
    }

    @Test func cyclesAndSharedPredictorsAreWalkedOnce() throws {
        let loop = try Loop()
        #expect(loop.namedPredictors.map(\.name) == ["qa"])
    }

    @Test func finalClassModuleKeepsHistoryCallbacksAndUsage() async throws {
        let log = EventLog()
        let lm = LM(model: "rec", backend: RecordingBackend { _ in "[[ ## answer ## ]]\na" })
        let pipeline = Pipeline(steps: [try Predict("question -> answer"), try Predict("question -> answer")], callbacks: [log])
        let out = try await Settings.shared.context(["lm": lm, "track_usage": true]) { try await pipeline(question: "q") }
        #expect(out.answer == "a")
        #expect(out.lmUsage?["rec"] == TokenUsage(promptTokens: 20, completionTokens: 10))
        #expect(pipeline.history.count == 2 && pipeline.steps[0].history.count == 1)
        #expect(log.list.first == "module_start(Pipeline)" && log.list.last == "module_end")
        #expect(pipeline.namedPredictors.map(\.name) == ["steps[0]", "steps[1]"])
        pipeline.clearHistory()
        #expect(pipeline.history.isEmpty)
    }

    @Test func structWithRecordKeepsHistoryWithoutOneKeepsNone() async throws {
        let lm = try LM("dummy")
        let withRecord = try QAProgram()
        let without = Inner(qa: try Predict("question -> answer"))
        try await Settings.shared.context(["lm": lm]) {
            _ = try await withRecord(question: "a")
            _ = try await without(question: "b")
        }
        #expect(withRecord.history.count == 1 && withRecord.moduleRecord === withRecord.record)
        #expect(without.history.isEmpty && without.moduleRecord == nil && !without.isCompiled)
        #expect(without.qa.history.count == 1)
    }

    @Test func globalCallbacksAndCallerModulesSeeStructModules() async throws {
        let log = EventLog()
        let out = try await Settings.shared.context(["callbacks": [log] as [any Callback]]) { try await Outer()(x: 1) }
        #expect(out.stack == ["Outer", "StackProbe"])
        #expect(log.list == ["module_start(Outer)", "module_start(StackProbe)", "module_end", "module_end"])
        let ids = log.ids.withLock { $0 }
        #expect(ids[1].0.parentID == ids[0].0.id)
    }

    @Test func copiesForOptimizers() async throws {
        // A module without deepCopy cannot be copied, with DSPy's error.
        await #expect(throws: ModuleError.self) { try await Outer().resetCopy() }
        let demo = Example(["question": "q", "answer": "a"]).withInputs("question")
        let first = try Predict("question -> answer", lm: LM("dummy"), demos: [demo])
        let pipeline = Pipeline(steps: [first])
        let optimizer = BootstrapFewShot(metric: .answerExactMatch, maxBootstrappedDemos: 0, maxLabeledDemos: 1, report: .silent)
        let compiled = try await Settings.shared.context(["lm": try LM("dummy")]) { try await optimizer.compile(pipeline, trainset: [demo]) }
        let copy = try #require(compiled as? Pipeline)
        #expect(copy !== pipeline && copy.steps[0] !== first)
        #expect(copy.isCompiled && !pipeline.isCompiled)
        #expect(copy.steps[0].demos == [demo] && copy.steps[0].lm == nil)
        #expect(first.demos == [demo] && first.lm != nil)
    }

    @Test func predictorsRejectPositionalArgumentsThroughTheProtocol() async throws {
        let qa: any Module = try Predict("question -> answer", lm: LM("dummy"))
        await #expect(throws: ModuleError.self) { try await qa("positional") }
        let out = try await qa(question: "k")
        #expect(out.answer == "dummy answer for: k")
    }

    @Test func syncModulesAreStructsToo() async throws {
        struct Upper: SyncModule {
            func forwardSync(_ inputs: Inputs) throws -> Prediction {
                Prediction(["answer": .string((inputs["question"]?.stringValue ?? "").uppercased())])
            }
        }
        #expect(try await Upper()(question: "hi").answer == "HI")
    }
}
