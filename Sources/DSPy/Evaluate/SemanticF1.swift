import Foundation
import OrderedCollections

/// An LM-judged metric (DSPy's `dspy.SemanticF1`): a ChainOfThought compares the prediction's
/// `response` with the example's on recall and precision of their ideas, and the score is
/// their F1. While bootstrapping (a trace is given) it passes at `threshold`.
///
/// It is a module: its predictor has history, and can be given demos or another LM.
public final class SemanticF1: Module, CustomStringConvertible {
    /// The F1 at which the metric passes while bootstrapping.
    public let threshold: Double
    /// The judge.
    public let module: ChainOfThought
    private let record = ModuleRecord()

    static func signature(decompositional: Bool) throws -> Signature {
        let inputs: [Field] = [.input("question"), .input("ground_truth"), .input("system_response")]
        let recall = Field.output("recall", .float, description: "fraction (out of 1.0) of ground truth covered by the system response")
        let precision = Field.output("precision", .float, description: "fraction (out of 1.0) of system response covered by the ground truth")
        if decompositional {
            return try Signature(
                inputs: inputs,
                outputs: [
                    .output("ground_truth_key_ideas", description: "enumeration of key ideas in the ground truth"),
                    .output("system_response_key_ideas", description: "enumeration of key ideas in the system response"),
                    .output("discussion", description: "discussion of the overlap between ground truth and system response"),
                    recall, precision,
                ],
                instructions: """
                    Compare a system's response to the ground truth to compute recall and precision of key ideas.
                    You will first enumerate key ideas in each response, discuss their overlap, and then report recall and precision.
                    """)
        }
        return try Signature(
            inputs: inputs, outputs: [recall, precision],
            instructions: """
                Compare a system's response to the ground truth to compute its recall and precision.
                If asked to reason, enumerate key ideas in each response, and whether they are present in the other response.
                """)
    }

    public init(threshold: Double = 0.66, decompositional: Bool = false) throws {
        self.threshold = threshold
        module = try ChainOfThought(SemanticF1.signature(decompositional: decompositional))
    }

    private init(threshold: Double, module: ChainOfThought) {
        self.threshold = threshold
        self.module = module
    }

    /// History, callbacks and the compiled flag of this metric.
    public var moduleRecord: ModuleRecord? { record }
    /// The judge, as `module`.
    public var subModules: [(name: String, module: any Module)] { [("module", module)] }
    public var description: String { "SemanticF1(threshold=\(PythonFloat.repr(threshold)))" }
    public func deepCopy() async throws -> any Module { SemanticF1(threshold: threshold, module: module.copy()) }

    /// DSPy's `f1_score(precision, recall)` with both clamped to 0...1.
    static func f1(precision: Double, recall: Double) -> Double {
        let p = max(0, min(1, precision)), r = max(0, min(1, recall))
        return p + r == 0 ? 0 : 2 * (p * r) / (p + r)
    }

    /// Scores `prediction.response` against `example.response` for `example.question`.
    public func score(_ example: Example, _ prediction: Prediction, trace: [TraceEntry]? = nil) async throws -> Value {
        let judged = try await call([
            "question": example["question"] ?? .null, "ground_truth": example["response"] ?? .null,
            "system_response": prediction["response"] ?? .null,
        ])
        guard let precision = judged["precision"]?.doubleValue, let recall = judged["recall"]?.doubleValue else {
            throw MetricError("SemanticF1's judge gave no numeric recall and precision.")
        }
        let f1 = SemanticF1.f1(precision: precision, recall: recall)
        return trace == nil ? .double(f1) : .bool(f1 >= threshold)
    }

    /// Runs the judge on `question`, `ground_truth` and `system_response`.
    public func forward(_ inputs: Inputs) async throws -> Prediction {
        try await module.call(inputs)
    }

    /// This judge as a metric for ``Evaluate`` and the optimizers.
    public var metric: Metric { Metric("SemanticF1") { e, p, t in try await self.score(e, p, trace: t) } }
}
