import Testing
@testable import DSPy

/// The custom-module example from the README, compiled and run on the offline LM.
struct ReadmeRAG: Module {
    let rewrite: Predict
    let answer: ChainOfThought

    init() throws {
        rewrite = try Predict("question -> query")
        answer = try ChainOfThought("question, context -> answer")
    }

    func forward(_ inputs: Inputs) async throws -> Prediction {
        let q = try await rewrite.call(inputs)
        return try await answer(question: inputs["question"] ?? "", context: "notes about \(q.query)")
    }
}

@Suite struct ReadmeExampleTests {
    @Test func customModuleRunsOnTheDummy() async throws {
        let rag = try ReadmeRAG()
        let out = try await Settings.shared.context(["lm": try LM("dummy")]) { try await rag(question: "Who wrote Dune?") }
        #expect(out.answer == "dummy answer for: Who wrote Dune?")
        #expect(out.keys == ["reasoning", "answer"])
        #expect(rag.rewrite.history.count == 1 && rag.answer.history.count == 1)
        #expect(rag.history.isEmpty)  // a struct without a ModuleRecord keeps no history of its own
        #expect(rag.namedPredictors.map(\.name) == ["rewrite", "answer.predict"])
    }
}
