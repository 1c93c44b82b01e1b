import DSPy
import Foundation

// A first look at DSPy in Swift: one Predict call on the configured LM (the offline `dummy`
// by default; set DSPY_LM, e.g. DSPY_LM=openai/gpt-4o-mini, for a real one), printing the
// exact prompt sent and the prediction that came back.
let model = ProcessInfo.processInfo.environment["DSPY_LM"].flatMap { $0.isEmpty ? nil : $0 } ?? "dummy"
do {
    let lm = try LM(model)
    try configure(.lm(lm))
    let qa = try Predict("question -> answer")
    let question = CommandLine.arguments.dropFirst().joined(separator: " ")
    let prediction = try await qa(question: question.isEmpty ? "What is the capital of France?" : question)
    print("LM: \(lm)")
    print(inspectHistory(n: 1, color: isatty(1) == 1))
    print(prediction)
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
